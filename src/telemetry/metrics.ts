import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClumioRoute } from '../clumio/clumio-client';

/**
 * The gateway's Prometheus metrics (prom-client), served at /metrics in the text format 0.0.4.
 *
 * The four families the contract names (operations and their durations, upstream attempts and
 * theirs) come first; the rest answer the questions an on-call engineer asks next: is Clumio
 * failing (retries, breaker), are we holding requests back (rate-limiter waits, the concurrency
 * queue, refusals), what do operations cost (upstream calls per operation, DataLoader batch sizes),
 * and does the response cache help. Every label value comes from a fixed set, except
 * `operation_name`, which `OperationNames` bounds.
 */

/** Operation types as metrics and logs report them: `unknown` when the document did not parse or validate. */
export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const ANONYMOUS = '__anonymous__';
export const OTHER = '__other__';

/**
 * Bounds `operation_name`: the names given (a persisted-documents manifest's), else the first `max`
 * distinct names seen; any other name is `__other__`, an unnamed or unparsed operation
 * `__anonymous__`. A client that invents a name per request cannot grow the series.
 */
export class OperationNames {
  private readonly known: Set<string>;
  /** False when the names are fixed. */
  private readonly open: boolean;

  constructor(
    fixed: Iterable<string> | null,
    private readonly max = 100,
  ) {
    this.known = new Set(fixed ?? []);
    this.open = fixed === null;
  }

  label(name: string | null): string {
    if (name === null) return ANONYMOUS;
    // Operations may be called `__other__`; they must not pass for the names they stand for.
    if (name === ANONYMOUS || name === OTHER) return OTHER;
    if (this.known.has(name)) return name;
    if (this.open && this.known.size < this.max) {
      this.known.add(name);
      return name;
    }
    return OTHER;
  }
}

export interface MetricsOptions {
  /** Operation names to keep (PERSISTED_DOCUMENTS); null: the first 100 seen. */
  operationNames?: Iterable<string> | null;
  /** Read at scrape time. */
  upstreamQueue?: () => { inFlight: number; queued: number };
  breakerState?: () => 'closed' | 'open' | 'half-open';
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly operationNames: OperationNames;

  private readonly operations: Counter<'operation_name' | 'operation_type' | 'outcome'>;
  private readonly operationSeconds: Histogram<'operation_name' | 'operation_type'>;
  private readonly operationUpstreamCalls: Histogram<'operation_type'>;
  private readonly upstreamRequests: Counter<'method' | 'route' | 'status'>;
  private readonly upstreamSeconds: Histogram<'method' | 'route'>;
  private readonly upstreamRetries: Counter<'method' | 'route' | 'reason'>;
  private readonly upstreamRefusals: Counter<'reason'>;
  private readonly breakerTransitions: Counter<'state'>;
  private readonly rateLimitWaitSeconds: Histogram;
  private readonly responseCache: Counter<'result'>;
  private readonly batchSizes: Histogram<'loader'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.operationNames = new OperationNames(options.operationNames ?? null);
    this.operations = new Counter({
      name: 'graphql_gateway_operations_total',
      help: 'GraphQL operations answered, by outcome: ok, or the first error code (partial data included).',
      labelNames: ['operation_name', 'operation_type', 'outcome'],
      registers,
    });
    this.operationSeconds = new Histogram({
      name: 'graphql_gateway_operation_duration_seconds',
      help: 'Time from reading an operation to its result.',
      labelNames: ['operation_name', 'operation_type'],
      buckets: SECONDS,
      registers,
    });
    this.operationUpstreamCalls = new Histogram({
      name: 'graphql_gateway_operation_upstream_calls',
      help: 'Clumio attempts (retries included) one operation made.',
      labelNames: ['operation_type'],
      buckets: [0, 1, 2, 3, 5, 10, 20, 50, 100],
      registers,
    });
    this.upstreamRequests = new Counter({
      name: 'clumio_upstream_requests_total',
      help: 'Attempts sent to Clumio, by HTTP status (error: no response: refused, reset, or the deadline).',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.upstreamSeconds = new Histogram({
      name: 'clumio_upstream_request_duration_seconds',
      help: 'Time of one attempt sent to Clumio, from sending to the whole body (or the failure).',
      labelNames: ['method', 'route'],
      buckets: SECONDS,
      registers,
    });
    this.upstreamRetries = new Counter({
      name: 'clumio_upstream_retries_total',
      help: 'Attempts retried, by what failed: the HTTP status or the transport error code.',
      labelNames: ['method', 'route', 'reason'],
      registers,
    });
    this.upstreamRefusals = new Counter({
      name: 'clumio_upstream_refused_total',
      help: 'Upstream requests the gateway refused before sending: breaker_open, queue_full, rate_limited (turn beyond the deadline).',
      labelNames: ['reason'],
      registers,
    });
    this.breakerTransitions = new Counter({
      name: 'clumio_upstream_breaker_transitions_total',
      help: 'Circuit breaker changes: to open (Clumio failing) and back to closed.',
      labelNames: ['state'],
      registers,
    });
    const breakerState = options.breakerState;
    new Gauge({
      name: 'clumio_upstream_breaker_state',
      help: 'The circuit breaker now: 1 for its current state (closed, half-open, open), 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        const now = breakerState?.() ?? 'closed';
        for (const state of ['closed', 'half-open', 'open']) this.set({ state }, state === now ? 1 : 0);
      },
    });
    const queue = options.upstreamQueue;
    new Gauge({
      name: 'clumio_upstream_in_flight_requests',
      help: 'Requests to Clumio now in flight (bounded by CLUMIO_MAX_CONCURRENCY).',
      registers,
      collect() {
        this.set(queue?.().inFlight ?? 0);
      },
    });
    new Gauge({
      name: 'clumio_upstream_queued_requests',
      help: 'Requests waiting for a free upstream connection (bounded by CLUMIO_MAX_QUEUE).',
      registers,
      collect() {
        this.set(queue?.().queued ?? 0);
      },
    });
    this.rateLimitWaitSeconds = new Histogram({
      name: 'clumio_rate_limiter_wait_seconds',
      help: "Time an upstream request waited for its turn under Clumio's rate limit (CLUMIO_RATE_LIMIT_RPS).",
      buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.responseCache = new Counter({
      name: 'graphql_gateway_response_cache_total',
      help: 'Response cache lookups: hit, miss, or coalesced (waited for the same operation already running).',
      labelNames: ['result'],
      registers,
    });
    this.batchSizes = new Histogram({
      name: 'graphql_gateway_dataloader_batch_size',
      help: 'Keys per DataLoader batch: backups by id, list windows.',
      labelNames: ['loader'],
      buckets: [1, 2, 5, 10, 20, 50, 100],
      registers,
    });
    // Node's process metrics (CPU, memory, heap, event-loop delay, GC), less three gauges whose
    // names end in `_total`, which promtool refuses for anything but a counter.
    collectDefaultMetrics({ register: this.registry });
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  operation(name: string | null, type: OperationType, outcome: string, seconds: number, upstreamCalls: number): void {
    const operationName = this.operationNames.label(name);
    this.operations.labels(operationName, type, outcome).inc();
    this.operationSeconds.labels(operationName, type).observe(seconds);
    this.operationUpstreamCalls.labels(type).observe(upstreamCalls);
  }

  upstreamAttempt(method: string, route: ClumioRoute, status: number | 'error', seconds: number): void {
    this.upstreamRequests.labels(method, route, String(status)).inc();
    this.upstreamSeconds.labels(method, route).observe(seconds);
  }

  upstreamRetry(method: string, route: ClumioRoute, reason: string): void {
    this.upstreamRetries.labels(method, route, reason).inc();
  }

  upstreamRefused(reason: 'breaker_open' | 'queue_full' | 'rate_limited'): void {
    this.upstreamRefusals.labels(reason).inc();
  }

  breakerChanged(state: 'open' | 'closed'): void {
    this.breakerTransitions.labels(state).inc();
  }

  rateLimitWait(seconds: number): void {
    this.rateLimitWaitSeconds.observe(seconds);
  }

  responseCacheLookup(result: 'hit' | 'miss' | 'coalesced'): void {
    this.responseCache.labels(result).inc();
  }

  batch(loader: 'backupById' | 'windows', size: number): void {
    this.batchSizes.labels(loader).observe(size);
  }
}
