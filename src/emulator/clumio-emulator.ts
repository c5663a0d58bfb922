/**
 * A Clumio REST API emulator for EC2 instance backups: a real HTTP server that follows Clumio's
 * documents (the endpoint page and clumio-api-facts.md), not the gateway's needs.
 *
 * Endpoints: GET /backups/aws/ec2-instances (page-number paging, sort, filter) and
 * GET /backups/aws/ec2-instances/{backup_id}. Everything else is 404 (405 for a wrong method on a
 * known path). Checks run in this order: injected faults, bearer token (401), rate limit (429, off
 * unless configured), route (404/405), Accept (406), organizational unit (403), query (400).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireEc2Backup } from '../clumio/wire-types';
import { EC2_BACKUPS_MEDIA_TYPE, EC2_BACKUPS_PATH } from '../clumio/wire-types';
import { BackupIndex } from './backup-index';
import { parseListQuery } from './list-query';
import { acceptsResourceVersion } from './media-type';
import type { OrganizationalUnit } from './seed-data';
import {
  DEFAULT_SEED,
  generateSeedData,
  GLOBAL_ORGANIZATIONAL_UNIT,
  ORGANIZATIONAL_UNITS,
} from './seed-data';

export const DEFAULT_EMULATOR_TOKEN = 'clumio-emulator-token';

/** Header names as Node exposes them (lower case); HTTP header names are case-insensitive. */
export const ORGANIZATIONAL_UNIT_HEADER = 'x-clumio-organizationalunit-context';

const EC2_BACKUPS_RESOURCE = 'backup-aws-ec2-instances';

/**
 * `error_code` values in the emulator's error bodies. Only 402 (HTTP 401, "Unauthorized access") is
 * documented by Clumio; for the rest the emulator uses the HTTP status as the application code.
 */
export const EMULATOR_ERROR_CODES = {
  badRequest: 400,
  unauthorized: 402,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  notAcceptable: 406,
  tooManyRequests: 429,
  internal: 500,
} as const;

export interface RecordedRequest {
  method: string;
  /** The path without the query string, as sent (not percent-decoded). */
  path: string;
  /** Decoded query parameters (the last value wins if one is repeated). */
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** The status the emulator answered; 0 while unanswered or when the socket was destroyed. */
  status: number;
}

export interface EmulatorOptions {
  /** Bearer tokens accepted; default [DEFAULT_EMULATOR_TOKEN]. */
  tokens?: string[];
  /** Data-set seed; default fixed, so data is identical every run. */
  seed?: number;
  /** Keep the request log (default true). Long-running servers should turn it off: it grows forever. */
  recordRequests?: boolean;
  /**
   * Clumio's documented limit is 100 requests per second per organization (HTTP 429 beyond it).
   * Off unless set; when set, a token bucket of this size per bearer token, refilled continuously.
   */
  rateLimitPerSecond?: number;
  /** Clock for the rate limiter, in ms (default Date.now); lets tests step time. */
  now?: () => number;
  /**
   * Wait this long before answering every request (default 0): a realistic upstream for benchmarks.
   * Unlike `injectFault({ delayMs })` it applies to all requests for the emulator's lifetime.
   */
  latencyMs?: number;
}

/** A one-off misbehaviour for the next matching request(s), to test a client's resilience. */
export interface EmulatorFault {
  /** Which requests the fault applies to (default: any). */
  match?: (request: { method: string; path: string; query: Record<string, string> }) => boolean;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Wait this long before answering (the real answer, or `status`). */
  delayMs?: number;
  /** Answer only once this settles: lets a test order events without timing. */
  release?: Promise<unknown>;
  /** Destroy the connection instead of answering (a reset); recorded with status 0. */
  destroySocket?: boolean;
  /** Answer with this status and a Clumio error body (or `body`) instead of the real answer. */
  status?: number;
  /** A `Retry-After` header to send with `status`. */
  retryAfter?: string;
  /** A raw body to send with `status`, e.g. malformed JSON. */
  body?: string;
  /** Content type of `body` (default application/json). */
  contentType?: string;
}

export interface ClumioEmulator {
  /** e.g. http://127.0.0.1:41234 (after listen). */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Requests received since start, counted even when the request log is off. */
  readonly requestCount: number;
  clearRequests(): void;
  /** The seeded data set, newest first. */
  readonly backups: readonly WireEc2Backup[];
  /** Default port 0 (ephemeral), host 127.0.0.1; resolves to the url. */
  listen(port?: number, host?: string): Promise<string>;
  /** Closes the server and all keep-alive sockets promptly. */
  close(): Promise<void>;
  /** Queues a fault for the next matching request(s); faults are consumed in the order queued. */
  injectFault(fault: EmulatorFault): void;
  clearFaults(): void;
}

export function createClumioEmulator(options: EmulatorOptions = {}): ClumioEmulator {
  return new Emulator(options);
}

interface PendingFault {
  fault: EmulatorFault;
  remaining: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

class Emulator implements ClumioEmulator {
  readonly backups: readonly WireEc2Backup[];
  private readonly tokens: ReadonlySet<string>;
  private readonly record: boolean;
  private readonly rateLimit: number;
  private readonly now: () => number;
  private readonly latencyMs: number;
  private readonly index: BackupIndex;
  private readonly organizationalUnits = new Map<string, OrganizationalUnit>();
  private readonly server: http.Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly buckets = new Map<string, Bucket>();
  private faults: PendingFault[] = [];
  private log: RecordedRequest[] = [];
  private received = 0;
  private baseUrl: string | undefined;

  constructor(options: EmulatorOptions) {
    const tokens = options.tokens ?? [DEFAULT_EMULATOR_TOKEN];
    if (tokens.length === 0) throw new Error('createClumioEmulator: tokens must not be empty');
    this.tokens = new Set(tokens);
    this.record = options.recordRequests ?? true;
    this.rateLimit = options.rateLimitPerSecond ?? 0;
    this.now = options.now ?? Date.now;
    this.latencyMs = options.latencyMs ?? 0;
    const data = generateSeedData(options.seed ?? DEFAULT_SEED);
    this.backups = Object.freeze([...data.backups]);
    for (const ou of [GLOBAL_ORGANIZATIONAL_UNIT, ...ORGANIZATIONAL_UNITS]) this.organizationalUnits.set(ou.id, ou);
    this.index = new BackupIndex(data.backups, [...this.organizationalUnits.values()]);
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  get url(): string {
    if (this.baseUrl === undefined) throw new Error('the Clumio emulator is not listening; call listen() first');
    return this.baseUrl;
  }

  get requests(): readonly RecordedRequest[] {
    return this.log;
  }

  get requestCount(): number {
    return this.received;
  }

  clearRequests(): void {
    this.log = [];
  }

  injectFault(fault: EmulatorFault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server.listening) return Promise.reject(new Error('the Clumio emulator is already listening'));
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        const shownHost = host.includes(':') ? `[${host}]` : host;
        this.baseUrl = `http://${shownHost}:${address.port}`;
        resolve(this.baseUrl);
      });
    });
  }

  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  // -------------------------------------------------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const params = new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1));
    const method = req.method ?? 'GET';
    const entry: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(params),
      headers: this.record ? copyHeaders(req.headers) : {},
      status: 0,
    };
    if (this.record) this.log.push(entry);
    this.received += 1;

    const fault = this.takeFault(entry);
    if (fault === undefined) {
      this.later(this.latencyMs, () => {
        if (!res.destroyed) this.answer(req, res, entry, path, params);
      });
      return;
    }
    const act = (): void => {
      if (res.destroyed) return;
      if (fault.destroySocket === true) {
        req.socket.destroy();
      } else if (fault.status !== undefined) {
        const headers: http.OutgoingHttpHeaders = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        if (fault.body !== undefined) {
          send(res, entry, fault.status, fault.contentType ?? 'application/json', fault.body, headers);
        } else {
          sendError(res, entry, fault.status, fault.status, `injected fault: HTTP ${fault.status}`, headers);
        }
      } else {
        this.answer(req, res, entry, path, params);
      }
    };
    const release = fault.release;
    this.later(fault.delayMs ?? this.latencyMs, release ? () => void release.then(act, act) : act);
  }

  /** Runs `act` now, or after `delayMs` on a timer that close() cancels. */
  private later(delayMs: number, act: () => void): void {
    if (delayMs <= 0) {
      act();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      act();
    }, delayMs);
    this.timers.add(timer);
  }

  private takeFault(entry: RecordedRequest): EmulatorFault | undefined {
    const at = this.faults.findIndex(
      (p) => p.fault.match === undefined || p.fault.match({ method: entry.method, path: entry.path, query: entry.query }),
    );
    const pending = this.faults[at];
    if (pending === undefined) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.faults.splice(at, 1);
    return pending.fault;
  }

  private answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RecordedRequest,
    path: string,
    params: URLSearchParams,
  ): void {
    try {
      const token = bearerToken(req.headers.authorization);
      if (token === undefined || !this.tokens.has(token)) {
        sendError(res, entry, 401, EMULATOR_ERROR_CODES.unauthorized, 'Unauthorized access');
        return;
      }
      if (!this.admit(token)) {
        sendError(
          res,
          entry,
          429,
          EMULATOR_ERROR_CODES.tooManyRequests,
          `Too many requests: the limit is ${this.rateLimit} requests per second per organization`,
        );
        return;
      }

      let backupId: string | undefined;
      if (path !== EC2_BACKUPS_PATH) {
        const rest = path.startsWith(`${EC2_BACKUPS_PATH}/`) ? path.slice(EC2_BACKUPS_PATH.length + 1) : '';
        backupId = rest === '' || rest.includes('/') ? undefined : safeDecode(rest);
        if (backupId === undefined) {
          sendError(res, entry, 404, EMULATOR_ERROR_CODES.notFound, `no such resource: ${entry.method} ${path}`);
          return;
        }
      }
      if (entry.method !== 'GET') {
        sendError(res, entry, 405, EMULATOR_ERROR_CODES.methodNotAllowed, `method ${entry.method} is not allowed on ${path}; allowed: GET`, {
          allow: 'GET',
        });
        return;
      }

      const accept = req.headers.accept;
      if (!acceptsResourceVersion(accept, EC2_BACKUPS_RESOURCE, 'v1')) {
        sendError(
          res,
          entry,
          406,
          EMULATOR_ERROR_CODES.notAcceptable,
          `Accept "${accept ?? ''}" is not available for this resource; it serves ${EC2_BACKUPS_MEDIA_TYPE}`,
        );
        return;
      }

      const ouHeader = req.headers[ORGANIZATIONAL_UNIT_HEADER];
      const ouId = Array.isArray(ouHeader) ? ouHeader.join(', ') : ouHeader;
      const ou = ouId === undefined ? GLOBAL_ORGANIZATIONAL_UNIT : this.organizationalUnits.get(ouId.trim());
      if (ou === undefined) {
        sendError(res, entry, 403, EMULATOR_ERROR_CODES.forbidden, `Organizational unit "${ouId ?? ''}" is not accessible`);
        return;
      }

      if (backupId === undefined) this.list(res, entry, params, ou);
      else this.read(res, entry, params, backupId, ou);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sendError(res, entry, 500, EMULATOR_ERROR_CODES.internal, `internal emulator error: ${message}`);
    }
  }

  private list(res: http.ServerResponse, entry: RecordedRequest, params: URLSearchParams, ou: OrganizationalUnit): void {
    const parsed = parseListQuery(params);
    if (!parsed.ok) {
      sendError(res, entry, 400, EMULATOR_ERROR_CODES.badRequest, parsed.message);
      return;
    }
    const { limit, start, descending, sort, filterParam, filter } = parsed.value;
    const selection = this.index.select({
      organizationalUnit: ou.accountNativeIds === null ? null : ou,
      instanceId: filter.instanceId,
      gtMs: filter.gtMs,
      lteMs: filter.lteMs,
    });
    const total = selection.hi - selection.lo;
    const pages = Math.ceil(total / limit);
    const page = this.index.page(selection, start, limit, descending);

    const prefix = `${EC2_BACKUPS_PATH}?limit=${limit}&start=`;
    const suffix =
      (sort === undefined ? '' : `&sort=${encodeURIComponent(sort)}`) +
      (filterParam === undefined ? '' : `&filter=${encodeURIComponent(filterParam)}`);
    const link = (name: string, n: number): string =>
      `"${name}":{"href":${JSON.stringify(prefix + n + suffix)},"templated":false,"type":"get"}`;
    let links = `${link('_first', 1)},${link('_last', Math.max(pages, 1))}`;
    if (start < pages) links += `,${link('_next', start + 1)}`;
    if (start > 1) links += `,${link('_prev', start - 1)}`;
    links += `,${link('_self', start)}`;

    const head = Buffer.from('{"_embedded":{"items":[');
    const tail = Buffer.from(
      `]},"_links":{${links}},"current_count":${page.count},` +
        `"filter_applied":${JSON.stringify(filter.applied)},"limit":${limit},"start":"${start}",` +
        `"total_count":${total},"total_pages_count":${pages}}`,
    );
    const body = Buffer.concat([head, ...page.parts, tail], head.length + page.byteLength + tail.length);
    send(res, entry, 200, EC2_BACKUPS_MEDIA_TYPE, body);
  }

  private read(
    res: http.ServerResponse,
    entry: RecordedRequest,
    params: URLSearchParams,
    backupId: string,
    ou: OrganizationalUnit,
  ): void {
    const unexpected = params.keys().next();
    if (unexpected.done !== true) {
      sendError(
        res,
        entry,
        400,
        EMULATOR_ERROR_CODES.badRequest,
        `unsupported query parameter "${unexpected.value}"; this endpoint takes none`,
      );
      return;
    }
    const json = this.index.itemJson(backupId, ou.accountNativeIds === null ? null : ou);
    if (json === undefined) {
      sendError(res, entry, 404, EMULATOR_ERROR_CODES.notFound, `EC2 instance backup "${backupId}" not found`);
      return;
    }
    send(res, entry, 200, EC2_BACKUPS_MEDIA_TYPE, json);
  }

  /** Token bucket per organization (bearer token); always admits when no limit is configured. */
  private admit(token: string): boolean {
    if (this.rateLimit <= 0) return true;
    const now = this.now();
    const bucket = this.buckets.get(token) ?? { tokens: this.rateLimit, at: now };
    bucket.tokens = Math.min(this.rateLimit, bucket.tokens + ((now - bucket.at) / 1000) * this.rateLimit);
    bucket.at = now;
    this.buckets.set(token, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function copyHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function send(
  res: http.ServerResponse,
  entry: RecordedRequest,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: http.OutgoingHttpHeaders = {},
): void {
  entry.status = status;
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
  });
  res.end(body);
}

function sendError(
  res: http.ServerResponse,
  entry: RecordedRequest,
  status: number,
  errorCode: number,
  message: string,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const body = JSON.stringify({ errors: [{ error_code: errorCode, error_message: message }] });
  send(res, entry, status, 'application/json', body, headers);
}
