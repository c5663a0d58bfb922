import type { ClumioRoute, UpstreamAttempt } from '../clumio/clumio-client';
import type { LoaderTrace } from '../loaders/backup-loaders';
import type { Logger } from './logger';
import type { GatewayMetrics, OperationType } from './metrics';
import { SpanKind, SpanStatusCode } from './tracing';
import type { Attributes, Span, Tracing } from './tracing';

/**
 * What one GraphQL operation reports while it runs: its span, each Clumio attempt (a CLIENT span
 * under the operation's, counted in the metrics and in the operation's `upstreamCalls`), retries and
 * refusals (events on the operation's span, metrics, a warning with the request id), rate-limit waits
 * and DataLoader batch sizes. The loaders and the Clumio client see it as their `trace`.
 */

/** The process-wide parts every operation reports to. */
export interface TelemetrySinks {
  logger: Logger;
  metrics: GatewayMetrics | null;
  tracing: Tracing;
  /** Host and port of CLUMIO_API_URL, for `server.address` / `server.port`. */
  upstream: { address: string; port: number };
}

export class OperationTelemetry implements LoaderTrace {
  /** From the parsed document; null when unnamed or unparsed. */
  name: string | null = null;
  /** `unknown` until the document parsed and validated. */
  type: OperationType = 'unknown';
  /** True once the document was parsed (a response-cache hit is answered without). */
  parsed = false;
  /** The type the parsed document names, reported once it validates. */
  private parsedType: OperationType | null = null;
  upstreamCalls = 0;
  readonly startedAt = performance.now();
  readonly span: Span;

  constructor(
    private readonly sinks: TelemetrySinks,
    parent: Span,
    readonly requestId: string,
  ) {
    // Renamed `{type} {name}` once the document is read; OpenTelemetry's GraphQL conventions name
    // an operation of unknown type "GraphQL Operation".
    this.span = sinks.tracing.startChildSpan(parent, 'GraphQL Operation', SpanKind.INTERNAL);
  }

  /** The document parsed: its name counts from now on, its type once it validates. */
  parsedAs(name: string | null, type: OperationType | null): void {
    this.parsed = true;
    this.parsedType = type;
    this.identify(name, 'unknown');
  }

  validated(): void {
    if (this.parsedType) this.identify(this.name, this.parsedType);
  }

  /** Names the span and sets its attributes, once name and type are known. */
  identify(name: string | null, type: OperationType): void {
    this.name = name;
    this.type = type;
    if (type === 'unknown') return;
    this.span.updateName(name ? `${type} ${name}` : type);
    this.span.setAttribute('graphql.operation.type', type);
    if (name) this.span.setAttribute('graphql.operation.name', name);
  }

  /** Ends the span and counts the operation; `outcome` is `ok` or the first error code. */
  finish(outcome: string, errorCodes: string[]): number {
    const ms = performance.now() - this.startedAt;
    if (outcome !== 'ok') {
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      this.span.setAttribute('graphql.error.codes', errorCodes);
    }
    this.span.end();
    this.sinks.metrics?.operation(this.name, this.type, outcome, ms / 1000, this.upstreamCalls);
    return ms;
  }

  attempt(method: string, route: ClumioRoute, resendCount: number): UpstreamAttempt {
    this.upstreamCalls++;
    const { tracing, metrics, upstream } = this.sinks;
    const attributes: Attributes = {
      'http.request.method': method,
      'url.template': route,
      'server.address': upstream.address,
      'server.port': upstream.port,
    };
    if (resendCount > 0) attributes['http.request.resend_count'] = resendCount;
    const span = tracing.startChildSpan(this.span, `${method} ${route}`, SpanKind.CLIENT, attributes);
    const headers: Record<string, string> = {};
    tracing.inject(span, headers);
    const sentAt = performance.now();
    return {
      headers,
      end(outcome) {
        const status = 'status' in outcome ? outcome.status : null;
        if (status !== null) span.setAttribute('http.response.status_code', status);
        const errorType = status === null ? (outcome as { errorType: string }).errorType : status >= 400 ? String(status) : null;
        if (errorType !== null) {
          span.setAttribute('error.type', errorType);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
        metrics?.upstreamAttempt(method, route, status ?? 'error', (performance.now() - sentAt) / 1000);
      },
    };
  }

  retrying(method: string, route: ClumioRoute, reason: string, delayMs: number, attempt: number): void {
    this.span.addEvent('clumio.retry', {
      'http.request.method': method,
      'url.template': route,
      'clumio.retry.reason': reason,
      'clumio.retry.delay_ms': delayMs,
      'clumio.retry.attempt': attempt,
    });
    this.sinks.metrics?.upstreamRetry(method, route, reason);
    this.sinks.logger.warn({ requestId: this.requestId, method, route, reason, attempt, delayMs }, 'retrying a Clumio request');
  }

  refused(reason: 'breaker_open' | 'queue_full' | 'rate_limited'): void {
    this.span.addEvent('clumio.refused', { 'clumio.refused.reason': reason });
    this.sinks.metrics?.upstreamRefused(reason);
    this.sinks.logger.warn({ requestId: this.requestId, reason }, 'a Clumio request was refused before sending');
  }

  waitedForTurn(ms: number): void {
    this.sinks.metrics?.rateLimitWait(ms / 1000);
    if (ms >= 1) this.span.addEvent('clumio.rate_limit_wait', { 'clumio.wait_ms': Math.round(ms) });
  }

  batch(loader: 'backupById' | 'windows', size: number): void {
    this.sinks.metrics?.batch(loader, size);
  }
}
