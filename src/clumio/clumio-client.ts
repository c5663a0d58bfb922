import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { UpstreamError, codeForUpstreamStatus, unexpectedUpstream } from '../errors';
import { CircuitBreaker, ConcurrencyLimit, QueueFullError, backoffMs, wait } from './upstream-guard';
import type { BreakerOptions, RetryPolicy } from './upstream-guard';
import type { UpstreamDetails } from '../errors';
import { parseBackup, parseBackupList } from './clumio-json';
import { EC2_BACKUPS_MEDIA_TYPE, EC2_BACKUPS_PATH, RESTORES_MEDIA_TYPE, RESTORES_PATH, TASKS_MEDIA_TYPE, TASKS_PATH } from './wire-types';
import type { WireEc2Backup, WireEc2BackupList, WireErrorBody, WireRestoreResponse, WireTask } from './wire-types';

/**
 * The one place the gateway talks to Clumio: URL and query building, headers, the deadline,
 * retries, the circuit breaker, the concurrency bound, response parsing and the translation of
 * every failure into an UpstreamError. Nothing else does HTTP.
 *
 * Every GET is idempotent, so it is retried on a reset or refused connection, 502, 503, 504 and
 * 429: at most `maxAttempts` times, with full-jitter exponential backoff, honouring Retry-After
 * (seconds or HTTP date) up to a cap, all within one deadline. The one POST, a restore, is sent once
 * and never retried: a restore creates cloud resources. When its outcome is unknown (no response,
 * the deadline, a 5xx, an unreadable 2xx) its error says so (`restoreMayHaveStarted`).
 */

/** Who the upstream request is made for. Part of every de-duplication key above this client. */
export interface ClumioCaller {
  /** Bearer token sent upstream. */
  token: string;
  /** The caller's `X-Clumio-OrganizationalUnit-Context`, forwarded when present. */
  organizationalUnit: string | null;
}

/** `sort` values Clumio accepts for EC2 backups. */
export type ClumioSort = 'start_timestamp' | '-start_timestamp';

/** One page of GET /backups/aws/ec2-instances. `start` is the page number, from 1. */
export interface ListPageRequest {
  limit: number;
  start: number;
  sort: ClumioSort;
  /** Compact JSON filter, or '' for none. */
  filter: string;
}

export interface ListPage {
  items: WireEc2Backup[];
  /** Items across all pages (Clumio's `total_count`). */
  totalCount: number;
}

export interface ClumioClientOptions {
  /** Base URL, e.g. https://us-west-2.api.clumio.com (a path prefix is kept). */
  baseUrl: string;
  /** Deadline for one upstream request, retries and queueing included. */
  timeoutMs: number;
  /** Concurrent upstream requests (and keep-alive connections) to the origin. */
  maxConcurrency?: number;
  /** Requests allowed to wait for a free slot; beyond it they fail at once. */
  maxQueue?: number;
  retry?: Partial<RetryPolicy>;
  breaker?: Partial<BreakerOptions>;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** Awaited before every upstream request: the rate limiter's hook (see rate-limiter.ts). */
  admit?: (caller: ClumioCaller) => Promise<void>;
  /** Told when the circuit breaker opens (Clumio failing) or closes again. */
  onBreakerChange?: (state: 'open' | 'closed') => void;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseBackoffMs: 100,
  maxBackoffMs: 2_000,
  retryAfterCapMs: 5_000,
};

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, openMs: 5_000 };

/** Transport failures worth another try: the request never reached a working server. */
const RETRYABLE_TRANSPORT = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** One attempt's outcome, as the retry loop needs it; `reason` says what failed (an HTTP status, a transport code). */
type Attempt =
  | { ok: true; body: unknown }
  | {
      ok: false;
      error: UpstreamError;
      reason: string;
      retryable: boolean;
      retryAfterMs?: number;
      unhealthy: boolean;
      /** The request may have taken effect: it was sent and no clear answer came (no response, the deadline, a 5xx, an unreadable 2xx). */
      outcomeUnknown: boolean;
    };

/** The upstream routes, as metrics and spans name them (never a concrete id). */
export type ClumioRoute = '/backups/aws/ec2-instances' | '/backups/aws/ec2-instances/{id}' | '/restores/aws/ec2-instances' | '/tasks/{task_id}';

/**
 * What the client tells the operation it works for, and what it needs from it: a span per attempt
 * (whose W3C trace context headers are sent upstream), retries, refusals before sending and waits
 * for the rate limit. The gateway's telemetry implements it (metrics, logs, spans); every call takes
 * one, so no request to Clumio goes untraced or uncounted.
 */
export interface UpstreamTrace {
  attempt(method: string, route: ClumioRoute, resendCount: number): UpstreamAttempt;
  retrying(method: string, route: ClumioRoute, reason: string, delayMs: number, attempt: number): void;
  refused(reason: 'breaker_open' | 'queue_full' | 'rate_limited'): void;
  waitedForTurn(ms: number): void;
}

export interface UpstreamAttempt {
  /** `traceparent` (and `tracestate`) naming this attempt's span. */
  readonly headers: Record<string, string>;
  /** The HTTP status that came back, or why none did (a transport error code, `timeout`). */
  end(outcome: { status: number } | { errorType: string }): void;
}

interface UpstreamRequest {
  method: 'GET' | 'POST';
  route: ClumioRoute;
  path: string;
  headers: Record<string, string>;
  /** The JSON body of a POST. */
  body?: string;
  parse: (text: string) => unknown;
  trace: UpstreamTrace;
}

/** Where to send a request and how to read its answer. */
interface RequestSpec {
  method: 'GET' | 'POST';
  route: ClumioRoute;
  pathAndQuery: string;
  accept: string;
  body?: string;
  parse: (text: string) => unknown;
}

export class ClumioClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly retry: RetryPolicy;
  readonly breaker: CircuitBreaker;
  readonly concurrency: ConcurrencyLimit;
  private readonly admit: ClumioClientOptions['admit'];

  constructor(options: ClumioClientOptions) {
    const url = new URL(options.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.userAgent = options.userAgent ?? 'clumio-backup-graph';
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.breaker = new CircuitBreaker({ ...DEFAULT_BREAKER, ...options.breaker }, Date.now, options.onBreakerChange);
    const maxConcurrency = options.maxConcurrency ?? 32;
    this.concurrency = new ConcurrencyLimit(maxConcurrency, options.maxQueue ?? 1_000);
    this.admit = options.admit;
    this.pool = new Pool(url.origin, {
      connections: maxConcurrency,
      // Below the idle timeouts load balancers in front of APIs typically use (60 s), so we never
      // write to a socket the far end has already closed.
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 50_000,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
    });
  }

  /** The query string Clumio receives for a page request, in a fixed parameter order. */
  static listQueryString(request: ListPageRequest): string {
    let query = `limit=${request.limit}&start=${request.start}&sort=${request.sort}`;
    if (request.filter) query += `&filter=${encodeURIComponent(request.filter)}`;
    return query;
  }

  async listBackups(caller: ClumioCaller, request: ListPageRequest, trace: UpstreamTrace): Promise<ListPage> {
    const path = `${EC2_BACKUPS_PATH}?${ClumioClient.listQueryString(request)}`;
    const body = (await this.send(caller, { method: 'GET', route: '/backups/aws/ec2-instances', pathAndQuery: path, accept: EC2_BACKUPS_MEDIA_TYPE, parse: parseBackupList }, trace)) as
      | WireEc2BackupList
      | null;
    // An empty page may come without `_embedded`; the total is what paging cannot do without.
    const items = body?._embedded?.items ?? [];
    const totalCount = body?.total_count;
    if (!body || !Array.isArray(items) || typeof totalCount !== 'number') {
      throw unexpectedUpstream('the list response has no `_embedded.items` or `total_count`');
    }
    if (typeof body.limit === 'number' && body.limit !== request.limit) {
      // Offsets would be wrong if Clumio served pages of another size than we asked for.
      throw unexpectedUpstream(`Clumio served pages of ${body.limit} items where ${request.limit} were asked`);
    }
    return { items, totalCount };
  }

  /** One backup by Clumio ID; null when Clumio answers 404. */
  async getBackup(caller: ClumioCaller, backupId: string, trace: UpstreamTrace): Promise<WireEc2Backup | null> {
    try {
      const path = `${EC2_BACKUPS_PATH}/${encodeURIComponent(backupId)}`;
      const body = await this.send(caller, { method: 'GET', route: '/backups/aws/ec2-instances/{id}', pathAndQuery: path, accept: EC2_BACKUPS_MEDIA_TYPE, parse: parseBackup }, trace);
      if (!body || typeof body !== 'object') throw unexpectedUpstream('the backup response is not an object');
      return body;
    } catch (error) {
      if (error instanceof UpstreamError && error.upstream.status === 404) return null;
      throw error;
    }
  }

  /**
   * Starts a restore: one `POST /restores/aws/ec2-instances?embed=read-task`, never retried. Answers
   * the task id and the task Clumio embedded (null when it embedded none).
   */
  async restoreEc2InstanceBackup(caller: ClumioCaller, body: object, trace: UpstreamTrace): Promise<{ taskId: string; task: WireTask | null }> {
    const response = (await this.send(
      caller,
      { method: 'POST', route: '/restores/aws/ec2-instances', pathAndQuery: `${RESTORES_PATH}?embed=read-task`, accept: RESTORES_MEDIA_TYPE, body: JSON.stringify(body), parse: JSON.parse },
      trace,
    )) as WireRestoreResponse | null;
    const taskId = response?.task_id;
    if (typeof taskId !== 'string' || taskId === '') {
      throw restoreMayHaveStarted(unexpectedUpstream('Clumio accepted the restore but sent no task_id'));
    }
    const task = response?._embedded?.['read-task'];
    return { taskId, task: task && typeof task === 'object' && !Array.isArray(task) ? task : null };
  }

  /** One task by Clumio ID; null when Clumio answers 404. A GET like the others (retries, breaker, limiter). */
  async getTask(caller: ClumioCaller, taskId: string, trace: UpstreamTrace): Promise<WireTask | null> {
    try {
      const path = `${TASKS_PATH}/${encodeURIComponent(taskId)}`;
      const body = await this.send(caller, { method: 'GET', route: '/tasks/{task_id}', pathAndQuery: path, accept: TASKS_MEDIA_TYPE, parse: JSON.parse }, trace);
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw unexpectedUpstream('the task response is not an object');
      return body;
    } catch (error) {
      if (error instanceof UpstreamError && error.upstream.status === 404) return null;
      throw error;
    }
  }

  /** True when the breaker is not open and the upstream answers HTTP at all (any status): /readiness. */
  async isReachable(timeoutMs: number, traceHeaders: Record<string, string>): Promise<boolean> {
    if (this.breaker.state === 'open') return false;
    try {
      const response = await this.pool.request({
        method: 'GET',
        path: `${this.basePath}/`,
        headers: { 'user-agent': this.userAgent, ...traceHeaders },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** `parse` reads a 2xx body (exactly: see clumio-json.ts); a body it cannot read is UPSTREAM_ERROR. */
  private async send(caller: ClumioCaller, spec: RequestSpec, trace: UpstreamTrace): Promise<unknown> {
    const headers: Record<string, string> = {
      accept: spec.accept,
      authorization: `Bearer ${caller.token}`,
      'user-agent': this.userAgent,
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (caller.organizationalUnit) headers['x-clumio-organizationalunit-context'] = caller.organizationalUnit;
    const request: UpstreamRequest = { method: spec.method, route: spec.route, path: this.basePath + spec.pathAndQuery, headers, parse: spec.parse, trace };
    if (spec.body !== undefined) request.body = spec.body;
    // The rate limiter bounds its own wait (CLUMIO_TIMEOUT_MS) and answers RATE_LIMITED beyond it.
    await this.waitForTurn(caller, trace);
    // One deadline for every attempt and wait. A plain timer, cleared when the request settles:
    // AbortSignal.timeout() costs some 15 µs a request here (it is made collectable through weak
    // references), more than the rest of the client.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      return await this.attempts(caller, request, controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async waitForTurn(caller: ClumioCaller, trace: UpstreamTrace): Promise<void> {
    if (!this.admit) return;
    const askedAt = performance.now();
    try {
      await this.admit(caller);
    } catch (error) {
      trace.refused('rate_limited');
      throw error;
    }
    trace.waitedForTurn(performance.now() - askedAt);
  }

  private async attempts(caller: ClumioCaller, request: UpstreamRequest, deadline: AbortSignal): Promise<unknown> {
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (!this.breaker.tryPass()) {
        request.trace.refused('breaker_open');
        const seconds = Math.ceil(this.breaker.retryInMs() / 1000);
        throw new UpstreamError(
          'UPSTREAM_ERROR',
          `Clumio is failing; the gateway pauses calls to it for ${seconds} s to let it recover.`,
          details(null),
        );
      }
      // Retries spend the caller's share of Clumio's rate limit too (the first attempt's turn was
      // awaited before the deadline started).
      if (attempt > 1) await this.waitForTurn(caller, request.trace);
      const outcome = await this.attempt(request, deadline, attempt - 1);
      if (outcome.ok) {
        this.breaker.success();
        return outcome.body;
      }
      if (outcome.unhealthy) this.breaker.failure();
      else this.breaker.neutral();

      const { error } = outcome;
      // A POST is never sent twice: whatever happened, the caller decides.
      if (request.method !== 'GET') throw outcome.outcomeUnknown ? restoreMayHaveStarted(error) : error;
      if (!outcome.retryable || attempt >= this.retry.maxAttempts) throw error;
      const delay = outcome.retryAfterMs ?? backoffMs(this.retry, attempt);
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.retry.retryAfterCapMs) throw error;
      // Not worth waiting when the deadline would pass first: answer now with what Clumio said.
      if (Date.now() - startedAt + delay >= this.timeoutMs) throw error;
      request.trace.retrying(request.method, request.route, outcome.reason, delay, attempt);
      try {
        await wait(delay, deadline);
      } catch {
        throw error;
      }
    }
  }

  /** One attempt: a slot under the concurrency bound, the request with its own span, the body read. */
  private async attempt(request: UpstreamRequest, deadline: AbortSignal, resendCount: number): Promise<Attempt> {
    let release: () => void;
    try {
      release = await this.concurrency.acquire(deadline);
    } catch (error) {
      const full = error instanceof QueueFullError;
      if (full) request.trace.refused('queue_full');
      return {
        ok: false,
        retryable: false,
        unhealthy: false,
        outcomeUnknown: false,
        reason: full ? 'queue_full' : 'deadline',
        error: full
          ? new UpstreamError('UPSTREAM_ERROR', 'Too many requests are waiting for Clumio; retry shortly.', details(null))
          : new UpstreamError('UPSTREAM_TIMEOUT', 'Clumio did not answer in time.', details(null)),
      };
    }

    const span = request.trace.attempt(request.method, request.route, resendCount);
    const headers = { ...request.headers, ...span.headers };
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await this.pool.request({ method: request.method, path: request.path, headers, body: request.body ?? null, signal: deadline });
      text = await response.body.text();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const failure = transportError(error, deadline);
      const reason = failure.extensions.code === 'UPSTREAM_TIMEOUT' ? 'timeout' : typeof code === 'string' ? code : 'transport';
      span.end({ errorType: reason });
      return {
        ok: false,
        error: failure,
        reason,
        retryable: !deadline.aborted && typeof code === 'string' && RETRYABLE_TRANSPORT.has(code),
        unhealthy: true,
        outcomeUnknown: true,
      };
    } finally {
      release();
    }

    const status = response.statusCode;
    span.end({ status });
    if (status < 200 || status > 299) {
      const retryAfter = parseRetryAfter(response.headers['retry-after']);
      return {
        ok: false,
        error: statusError(status, text, retryAfter),
        reason: String(status),
        retryable: RETRYABLE_STATUS.has(status),
        unhealthy: status >= 500,
        outcomeUnknown: status >= 500,
        ...(retryAfter !== undefined && (status === 429 || status === 503) ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    }
    const contentType = String(response.headers['content-type'] ?? '');
    if (!/json/i.test(contentType)) {
      return { ok: false, retryable: false, unhealthy: true, outcomeUnknown: true, reason: 'content_type', error: unexpectedUpstream(`unexpected content type "${contentType.slice(0, 80)}"`) };
    }
    try {
      return { ok: true, body: request.parse(text) };
    } catch {
      return { ok: false, retryable: false, unhealthy: true, outcomeUnknown: true, reason: 'body', error: unexpectedUpstream('the response body is not valid JSON') };
    }
  }
}

function details(status: number | null, body?: WireErrorBody | null): UpstreamDetails {
  const first = Array.isArray(body?.errors) ? body.errors[0] : undefined;
  return {
    status,
    errorCode: typeof first?.error_code === 'number' ? first.error_code : null,
    errorMessage: typeof first?.error_message === 'string' ? first.error_message : null,
  };
}

/** Seconds to wait, from a Retry-After header in seconds or as an HTTP date. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function statusError(status: number, text: string, retryAfterSeconds: number | undefined): UpstreamError {
  let body: WireErrorBody | null = null;
  try {
    body = JSON.parse(text) as WireErrorBody;
  } catch {
    // A non-JSON error body (a proxy's HTML page, say) carries nothing we can pass on.
  }
  const upstream = details(status, body);
  const code = codeForUpstreamStatus(status);
  const said = upstream.errorMessage ? `: ${upstream.errorMessage}` : '';
  const message =
    code === 'UNAUTHENTICATED'
      ? `Clumio rejected the credentials (HTTP 401)${said}. Send a valid Clumio API token.`
      : code === 'FORBIDDEN'
        ? `Clumio refused access (HTTP 403)${said}. Check the token's role and the organizational unit.`
        : code === 'RATE_LIMITED'
          ? `Clumio's rate limit was hit (HTTP 429)${said}. Retry later.`
          : code === 'BAD_USER_INPUT'
            ? `Clumio rejected the request (HTTP ${status})${said}.`
            : `Clumio failed (HTTP ${status})${said}.`;
  // Clumio's limit is per second: without a Retry-After, one second is the honest suggestion.
  const retryAfter = status === 429 ? (retryAfterSeconds ?? 1) : undefined;
  return new UpstreamError(code, message, upstream, retryAfter);
}

function transportError(error: unknown, signal: AbortSignal): UpstreamError {
  if (signal.aborted || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamError('UPSTREAM_TIMEOUT', 'Clumio did not answer in time.', details(null));
  }
  const code = (error as { code?: unknown } | null)?.code;
  const why = typeof code === 'string' ? ` (${code})` : '';
  return new UpstreamError('UPSTREAM_ERROR', `Clumio could not be reached${why}.`, details(null));
}

/** The error of a restore whose outcome is unknown: the caller must check its tasks before sending it again. */
function restoreMayHaveStarted(error: UpstreamError): UpstreamError {
  return new UpstreamError(
    error.extensions.code ?? 'UPSTREAM_ERROR',
    `${error.message} The restore may have started: check your Clumio tasks before trying again.`,
    error.upstream,
    error.extensions.retryAfter,
    { restoreMayHaveStarted: true },
  );
}
