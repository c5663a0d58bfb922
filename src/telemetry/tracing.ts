import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapSetter, trace } from '@opentelemetry/api';
import type { Attributes, Span, TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config';

/**
 * OpenTelemetry tracing, with spans passed explicitly from parent to child: the SERVER span of an
 * HTTP request, under it one span per GraphQL operation, under that one CLIENT span per Clumio
 * attempt. Nothing relies on a context manager (AsyncLocalStorage), whose promise hooks would tax
 * every await of every request on Node 20.
 *
 * The SDK runs whether or not spans are exported, so ids are always minted and the caller's
 * `traceparent` (sampled flag and `tracestate` included) always travels to Clumio. Without an
 * export URL the provider has no span processor: spans are created and dropped, at a few
 * microseconds a request.
 */

export { SpanKind, SpanStatusCode };
export type { Attributes, Span };

const propagator = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

export class Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer;
  /** True when spans leave the process (an OTLP endpoint is configured). */
  readonly exporting: boolean;
  /** Where spans go, for the start-up line: `<url> (<protocol>)`. */
  readonly describe: string;

  constructor(config: TracingConfig, serviceVersion: string) {
    const exporter =
      config.exportUrl === null
        ? null
        : config.protocol === 'http/json'
          ? new OtlpJsonExporter({ url: config.exportUrl })
          : new OtlpProtobufExporter({ url: config.exportUrl });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        ...config.resourceAttributes,
        'service.name': config.serviceName,
        'service.version': serviceVersion,
      }),
      sampler: samplerOf(config),
      spanProcessors: exporter ? [new BatchSpanProcessor(exporter, { scheduledDelayMillis: config.batchDelayMs })] : [],
    });
    this.tracer = this.provider.getTracer('clumio-backup-graph', serviceVersion);
    this.exporting = exporter !== null;
    this.describe = config.exportUrl === null ? 'off' : `${new URL(config.exportUrl).origin} (${config.protocol})`;
  }

  /** The SERVER span of an HTTP request: a child of the caller's `traceparent` when it sent a valid one. */
  startServerSpan(name: string, headers: Headers, attributes: Attributes): Span {
    const parent = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
    return this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  }

  startChildSpan(parent: Span, name: string, kind: SpanKind, attributes?: Attributes): Span {
    return this.tracer.startSpan(name, { kind, ...(attributes ? { attributes } : {}) }, trace.setSpan(ROOT_CONTEXT, parent));
  }

  /** `traceparent` (and `tracestate`, when the trace has one) naming `span`, added to `headers`. */
  inject(span: Span, headers: Record<string, string>): void {
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  }

  /**
   * A `traceparent` of a new, unsampled trace, for requests outside any operation (the readiness
   * probe): they carry trace context like every request to Clumio, without asking it to record them.
   */
  unsampledHeaders(): Record<string, string> {
    return { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00` };
  }

  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

/** OTEL_TRACES_SAMPLER, of which parentbased_always_on (the caller's sampled flag decides) is the default. */
function samplerOf(config: TracingConfig): Sampler {
  const root =
    config.sampler.endsWith('always_on') ? new AlwaysOnSampler() : config.sampler.endsWith('always_off') ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(config.samplerRatio);
  return config.sampler.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}
