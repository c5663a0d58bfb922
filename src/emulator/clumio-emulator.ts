/**
 * A Clumio REST API emulator for EC2 instance backups: a real HTTP server that follows Clumio's
 * documents (the endpoint page and clumio-api-facts.md), not the gateway's needs.
 *
 * Endpoints: GET /backups/aws/ec2-instances (page-number paging, sort, filter),
 * GET /backups/aws/ec2-instances/{backup_id}, POST /restores/aws/ec2-instances (202 with a task;
 * `embed=read-task`), GET /tasks/{task_id} and PATCH /tasks/{task_id} (`{"status":"aborting"}`).
 * Everything else is 404 (405 for a wrong method on a known path). Checks run in this order:
 * injected faults, the fault mode, bearer token (401), rate limit (429, off unless configured),
 * route (404/405), Accept (406), organizational unit (403), then the endpoint's own: Content-Type
 * (415), body size (413), query (400), body (400), the backup or task (404).
 *
 * Requests with a body (POST, PUT, PATCH) are read to their end before a fault acts, and a restore
 * or an abort is carried out first unless the fault is one that answers in front of Clumio's
 * service (see modeCarriesOut, faultCarriesOut): a reset after the body arrived leaves a task
 * behind, as it can with Clumio. `beforeBody` faults act on the headers alone.
 *
 * Tasks follow the emulator's clock (`now`), so tests step time; see restore-tasks.ts. A task
 * belongs to the token that created it (each token is an organization, as for the rate limit) and
 * is seen from the OUs that see its backup's account.
 *
 * Outside Clumio's API, under /_emulator/ (a prefix no Clumio path has), an admin endpoint switches
 * the fault mode of a running emulator: GET, PUT (JSON) and DELETE /_emulator/fault. Admin requests
 * need no token, are never faulted and are not in the request log.
 *
 * The data set can change while the emulator runs, as Clumio's does when backups land and expire:
 * `insertBackup` / `removeBackup`, and over HTTP the admin endpoint under ADMIN_PATH, which is the
 * emulator's own (Clumio has nothing like it). Those admin requests need a bearer token, are
 * recorded, and skip injected faults and the rate limit; `admin: false` turns the endpoint off (404).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireEc2Backup } from '../clumio/wire-types';
import { EC2_BACKUPS_MEDIA_TYPE, EC2_BACKUPS_PATH } from '../clumio/wire-types';
import { randomUUID } from 'node:crypto';
import { completeBackup } from './added-backup';
import { BackupIndex } from './backup-index';
import { parseListQuery } from './list-query';
import { FaultModeState, modeCarriesOut, parseFaultMode, serverErrorStatus, STATUSES_AFTER_THE_SERVICE } from './fault-modes';
import type { FaultModeName, FaultModeOptions, FaultModeSettings, FaultModeStatus } from './fault-modes';
import { acceptsResourceVersion } from './media-type';
import { parseRestoreRequest } from './restore-request';
import type { RestoreTask, TaskTimings, TaskBody } from './restore-tasks';
import {
  DEFAULT_TASK_TIMINGS,
  isAbortable,
  parseTaskUpdate,
  restoreFailsByDefault,
  taskJson,
  taskState,
  TASKS_MEDIA_TYPE,
  TASKS_PATH,
} from './restore-tasks';
import type { OrganizationalUnit } from './seed-data';
import {
  DEFAULT_SEED,
  generateSeedData,
  GLOBAL_ORGANIZATIONAL_UNIT,
  ORGANIZATIONAL_UNITS,
} from './seed-data';

export const DEFAULT_EMULATOR_TOKEN = 'clumio-emulator-token';

/** The admin endpoint: POST a backup to add it, DELETE /{id} to remove one. Not Clumio's API. */
export const ADMIN_PATH = '/_emulator/backups';
const MAX_ADMIN_BODY_BYTES = 65_536;

/** Header names as Node exposes them (lower case); HTTP header names are case-insensitive. */
export const ORGANIZATIONAL_UNIT_HEADER = 'x-clumio-organizationalunit-context';

const EC2_BACKUPS_RESOURCE = 'backup-aws-ec2-instances';

export const RESTORES_PATH = '/restores/aws/ec2-instances';
/** The restore's media type: *restored*-aws-ec2-instances, not backup-. */
export const RESTORES_MEDIA_TYPE = 'application/api.clumio.restored-aws-ec2-instances=v1+json';
const RESTORES_RESOURCE = 'restored-aws-ec2-instances';
const TASKS_RESOURCE = 'tasks';
/** The largest body a restore or task update may have (the documents set none; a restore is a few KB). */
export const MAX_API_BODY_BYTES = 1_048_576;
/** Methods whose body the emulator reads (to the end) before answering or faulting. */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

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
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  tooManyRequests: 429,
  internal: 500,
} as const;

/** The admin endpoint that switches fault modes at run time; not part of Clumio's API. */
export const FAULT_ADMIN_PATH = '/_emulator/fault';
const ADMIN_PREFIX = '/_emulator/';

export interface RecordedRequest {
  method: string;
  /** The path without the query string, as sent (not percent-decoded). */
  path: string;
  /** Decoded query parameters (the last value wins if one is repeated). */
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /**
   * The body as sent (UTF-8), for requests whose body the emulator reads (POST, PUT, PATCH): set
   * once it has all arrived, before any fault acts. Absent for other methods, for a body cut off
   * or over the size limit, and for a `beforeBody` fault.
   */
  body?: string;
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
  /** Clock for the rate limiter and for tasks, in ms (default Date.now); lets tests step time. */
  now?: () => number;
  /**
   * How long a restore's task stays queued, runs, and takes to abort, in ms of `now` (defaults:
   * DEFAULT_TASK_TIMINGS, 2 s queued and 12 s running, so a restore ends 14 s after it was sent).
   */
  taskTimings?: Partial<TaskTimings>;
  /** Which restores end `failed` (default: restoreFailsByDefault, backup ids ending in "f"). */
  restoreFails?: (backupId: string) => boolean;
  /** Serve the admin endpoint (ADMIN_PATH) that adds and removes backups over HTTP (default true). */
  admin?: boolean;
  /**
   * Wait this long before answering every request (default 0): a realistic upstream for benchmarks.
   * The same as starting with the `latency` fault mode at rate 1.
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
  /**
   * Answer only once this settles (after `delayMs`, if both are given): holds requests open for
   * exactly as long as a test needs, with no timer.
   */
  until?: Promise<unknown>;
  /** Another name for `until`. */
  release?: Promise<unknown>;
  /** Destroy the connection instead of answering (a reset); recorded with status 0. */
  destroySocket?: boolean;
  /**
   * For a request with a body (POST, PUT, PATCH) and a `destroySocket` or `status` fault: act as
   * soon as the headers arrive, without reading the body, so nothing is carried out (a reset
   * while the client may still be sending). Otherwise the body is read first.
   */
  beforeBody?: boolean;
  /**
   * For a request with a body: whether it is carried out (a restore's task created, an abort made)
   * before the fault acts. Default: yes, except for a `status` answer other than 500 and 504
   * (see faultCarriesOut).
   */
  carriesOut?: boolean;
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
  clearRequests(): void;
  /** The data set now (the seeded backups, plus those added, minus those removed), newest first. */
  readonly backups: readonly WireEc2Backup[];
  /**
   * Adds a backup, visible to every request from now on. `start_timestamp` is required; other fields
   * are copied from the instance's newest backup (or the newest of all when `instance_id` is new or
   * not given), `id` defaults to a fresh UUID and the retention is the template's. Throws on invalid
   * fields or a taken id. Returns the backup as stored.
   */
  insertBackup(fields: Partial<WireEc2Backup> & { start_timestamp: string }): WireEc2Backup;
  /** Removes a backup (as if it expired); false when there is none with that id. */
  removeBackup(id: string): boolean;
  /** Every task the emulator's restores created, oldest first, as GET /tasks/{task_id} shows it now. */
  readonly tasks: readonly EmulatorTask[];
  /** Default port 0 (ephemeral), host 127.0.0.1; resolves to the url. */
  listen(port?: number, host?: string): Promise<string>;
  /** Closes the server and all keep-alive sockets promptly. */
  close(): Promise<void>;
  /** Queues a fault for the next matching request(s); faults are consumed in the order queued. */
  injectFault(fault: EmulatorFault): void;
  clearFaults(): void;
  /**
   * Switches a persistent fault mode on (replacing any other) or off (null). It applies to every
   * API request not taken by an injected fault, with probability `rate` (seeded, repeatable).
   * Requests held by `hang` are answered normally when the mode changes. Throws on invalid options.
   */
  setFaultMode(mode: FaultModeName | null, options?: FaultModeOptions): FaultModeStatus | null;
  /** The active fault mode and its counters, or null. */
  readonly faultMode: FaultModeStatus | null;
  /** Requests received and not answered yet (nor dropped): what a client has in flight here. */
  readonly openRequests: number;
  /** API requests received so far (counted even with the request log off). */
  readonly requestCount: number;
  /**
   * Calls `listener` with `openRequests` each time a request arrives (when that number can grow);
   * returns a function that stops the calls.
   */
  onRequestOpened(listener: (openRequests: number) => void): () => void;
}

/** A task with what is not on the wire: who created it, where, and for which backup. */
export interface EmulatorTask {
  /** The bearer token that sent the restore: the organization that owns the task. */
  token: string;
  organizationalUnitId: string;
  backupId: string;
  task: TaskBody;
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

/** An answer not yet written. */
interface Reply {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: http.OutgoingHttpHeaders;
}

/** Served by `wrong-content-type`: what a proxy in front of an API sends while the API is away. */
const MAINTENANCE_PAGE =
  '<!DOCTYPE html><html><head><title>Service maintenance</title></head>' +
  '<body><h1>We will be back soon</h1><p>The service is undergoing maintenance.</p></body></html>';

/** Error messages of the `5xx` mode; the `error_code` is the HTTP status, as for other undocumented codes. */
const SERVER_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

class Emulator implements ClumioEmulator {
  private readonly tokens: ReadonlySet<string>;
  private readonly record: boolean;
  private readonly admin: boolean;
  private current: readonly WireEc2Backup[] | undefined;
  private readonly rateLimit: number;
  private readonly now: () => number;
  private readonly index: BackupIndex;
  private readonly organizationalUnits = new Map<string, OrganizationalUnit>();
  private readonly server: http.Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly buckets = new Map<string, Bucket>();
  private faults: PendingFault[] = [];
  private mode: FaultModeState | null = null;
  /** Requests held by the `hang` mode: each answers its request when called. */
  private readonly held = new Set<() => void>();
  private log: RecordedRequest[] = [];
  private open = 0;
  private received = 0;
  private readonly openedListeners = new Set<(openRequests: number) => void>();
  private baseUrl: string | undefined;
  private readonly taskTimings: Readonly<TaskTimings>;
  private readonly restoreFails: (backupId: string) => boolean;
  private readonly restoreTasks = new Map<string, RestoreTask>();
  private lastTaskId = 0;

  constructor(options: EmulatorOptions) {
    const tokens = options.tokens ?? [DEFAULT_EMULATOR_TOKEN];
    if (tokens.length === 0) throw new Error('createClumioEmulator: tokens must not be empty');
    this.tokens = new Set(tokens);
    this.record = options.recordRequests ?? true;
    this.rateLimit = options.rateLimitPerSecond ?? 0;
    this.now = options.now ?? Date.now;
    this.admin = options.admin ?? true;
    this.taskTimings = parseTaskTimings(options.taskTimings);
    this.restoreFails = options.restoreFails ?? restoreFailsByDefault;
    const data = generateSeedData(options.seed ?? DEFAULT_SEED);
    this.current = Object.freeze([...data.backups]);
    for (const ou of [GLOBAL_ORGANIZATIONAL_UNIT, ...ORGANIZATIONAL_UNITS]) this.organizationalUnits.set(ou.id, ou);
    this.index = new BackupIndex(data.backups, [...this.organizationalUnits.values()]);
    this.server = http.createServer((req, res) => this.handle(req, res));
    if (options.latencyMs !== undefined && options.latencyMs > 0) this.setFaultMode('latency', { latencyMs: options.latencyMs });
  }

  get url(): string {
    if (this.baseUrl === undefined) throw new Error('the Clumio emulator is not listening; call listen() first');
    return this.baseUrl;
  }

  get backups(): readonly WireEc2Backup[] {
    this.current ??= Object.freeze(this.index.newestFirst());
    return this.current;
  }

  insertBackup(fields: Partial<WireEc2Backup> & { start_timestamp: string }): WireEc2Backup {
    const added = this.add(fields);
    if (!added.ok) throw new Error(`insertBackup: ${added.message}`);
    return added.backup;
  }

  /** Completes `fields` from the instance's newest backup (or the newest of all) and adds it. */
  private add(fields: unknown): { ok: true; backup: WireEc2Backup } | { ok: false; status: 400 | 409; message: string } {
    const instanceId = (fields as { instance_id?: unknown } | null)?.instance_id;
    const template = (typeof instanceId === 'string' ? this.index.newest(instanceId) : undefined) ?? this.index.newest();
    const completed = completeBackup(fields, template, randomUUID);
    if (!completed.ok) return { ok: false, status: 400, message: completed.message };
    if (this.index.has(completed.value.id)) {
      return { ok: false, status: 409, message: `an EC2 instance backup with id "${completed.value.id}" exists` };
    }
    this.index.add(completed.value);
    this.current = undefined;
    return { ok: true, backup: completed.value };
  }

  removeBackup(id: string): boolean {
    const removed = this.index.remove(id);
    if (removed) this.current = undefined;
    return removed;
  }

  get tasks(): readonly EmulatorTask[] {
    const now = this.now();
    return [...this.restoreTasks.values()].map((t) => ({
      token: t.token,
      organizationalUnitId: t.organizationalUnitId,
      backupId: t.backupId,
      task: taskJson(t, now),
    }));
  }

  get requests(): readonly RecordedRequest[] {
    return this.log;
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

  setFaultMode(mode: FaultModeName | null, options: FaultModeOptions = {}): FaultModeStatus | null {
    const parsed = parseFaultMode({ mode, ...options });
    if (!parsed.ok) throw new Error(`setFaultMode: ${parsed.problems.join('; ')}`);
    return this.switchFaultMode(parsed.settings);
  }

  get faultMode(): FaultModeStatus | null {
    return this.mode === null ? null : { ...this.mode.status(), held: this.held.size };
  }

  private switchFaultMode(settings: FaultModeSettings | null): FaultModeStatus | null {
    this.mode = settings === null ? null : new FaultModeState(settings);
    const held = [...this.held];
    this.held.clear();
    for (const release of held) release();
    return this.faultMode;
  }

  get requestCount(): number {
    return this.received;
  }

  get openRequests(): number {
    return this.open;
  }

  onRequestOpened(listener: (openRequests: number) => void): () => void {
    this.openedListeners.add(listener);
    return () => this.openedListeners.delete(listener);
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
    // Requests held by `hang` end with their sockets, below.
    this.held.clear();
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
    const backupsAdmin = path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`);
    if (path.startsWith(ADMIN_PREFIX) && !backupsAdmin) {
      this.faultAdmin(req, res, path);
      return;
    }
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
    // 'close' follows the last byte of the answer, or a dropped connection: either way it is over.
    this.open += 1;
    this.received += 1;
    res.once('close', () => (this.open -= 1));
    for (const listener of this.openedListeners) listener(this.open);

    if (this.admin && backupsAdmin) {
      this.adminRequest(req, res, entry, path);
      return;
    }
    const fault = this.takeFault(entry);
    // A request taken by an injected fault draws nothing, so the mode's sequence stays the same.
    const mode = fault === undefined ? this.mode : null;
    const hit = mode === null ? -1 : mode.draw();
    let body: string | undefined;
    // Built once: a restore's answer creates its task, which must not happen twice.
    let built: Reply | undefined;
    const reply = (): Reply => (built ??= this.respond(req, entry, path, params, body));
    const answer = (): void => {
      if (!res.destroyed) deliver(res, entry, reply());
    };
    const proceed = (): void => {
      if (fault !== undefined) this.applyInjectedFault(fault, req, res, entry, answer);
      // A mode switched while the body was arriving no longer applies (`hang` would hold it for good).
      else if (mode === null || hit < 0 || mode !== this.mode) answer();
      else this.applyFaultMode(mode.settings, hit, { req, res, entry, answer, reply });
    };

    if (!BODY_METHODS.has(method)) {
      proceed();
      return;
    }
    if (fault !== undefined && actsBeforeBody(fault)) {
      req.resume();
      proceed();
      return;
    }
    readBody(req, MAX_API_BODY_BYTES).then(
      (text) => {
        body = text;
        if (this.record && text !== undefined) entry.body = text;
        const carriesOut = fault !== undefined ? faultCarriesOut(fault) : mode === null || hit < 0 || modeCarriesOut(mode.settings, hit);
        // The whole request has arrived: Clumio acts on it even if the answer is then lost.
        if (carriesOut) reply();
        proceed();
      },
      () => req.socket.destroy(),
    );
  }

  private applyInjectedFault(
    fault: EmulatorFault,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RecordedRequest,
    answer: () => void,
  ): void {
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
        answer();
      }
    };
    const until = fault.until ?? fault.release;
    const afterDelay = until === undefined ? act : (): void => void until.then(act, act);
    if (fault.delayMs !== undefined && fault.delayMs > 0) this.after(fault.delayMs, afterDelay);
    else afterDelay();
  }

  /**
   * What the active mode does to a request it hits. `answer` sends the real answer; `reply` builds
   * it for the modes that mangle it. `hit` counts the requests hit so far (the 5xx rotation).
   */
  private applyFaultMode(
    settings: FaultModeSettings,
    hit: number,
    request: {
      req: http.IncomingMessage;
      res: http.ServerResponse;
      entry: RecordedRequest;
      answer: () => void;
      reply: () => Reply;
    },
  ): void {
    const { req, res, entry, answer, reply } = request;
    switch (settings.mode) {
      case 'latency':
        this.after(settings.latencyMs, answer);
        return;
      case 'hang': {
        const release = (): void => {
          res.off('close', forget);
          answer();
        };
        // A client that gives up closes its socket: forget the request rather than hold it forever.
        const forget = (): void => {
          this.held.delete(release);
        };
        res.once('close', forget);
        this.held.add(release);
        return;
      }
      case '5xx': {
        const status = serverErrorStatus(settings, hit);
        sendError(res, entry, status, status, SERVER_ERROR_MESSAGES[status] ?? 'Server error');
        return;
      }
      case '429':
        sendError(res, entry, 429, EMULATOR_ERROR_CODES.tooManyRequests, 'Too many requests: retry later', {
          'retry-after': String(settings.retryAfterSeconds),
        });
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'truncated-json': {
        const real = reply();
        const body = toBuffer(real.body);
        deliver(res, entry, { ...real, body: body.subarray(0, Math.floor(body.length / 2)) });
        return;
      }
      case 'malformed-json': {
        const real = reply();
        deliver(res, entry, { ...real, body: malformed(toBuffer(real.body).toString('utf8')) });
        return;
      }
      case 'wrong-content-type':
        send(res, entry, 200, 'text/html; charset=utf-8', MAINTENANCE_PAGE);
        return;
      case 'slow-body':
        this.trickle(res, entry, reply(), settings.latencyMs);
        return;
    }
  }

  /**
   * Sends the headers and a first piece of the body at once, then the rest in pieces (10 in all)
   * spread evenly, the last one `durationMs` later.
   */
  private trickle(res: http.ServerResponse, entry: RecordedRequest, reply: Reply, durationMs: number): void {
    const body = toBuffer(reply.body);
    entry.status = reply.status;
    res.writeHead(reply.status, { ...reply.headers, 'content-type': reply.contentType, 'content-length': body.length });
    const pieces = Math.max(1, Math.min(10, body.length));
    const size = Math.ceil(body.length / pieces);
    let sent = 0;
    const next = (): void => {
      if (res.destroyed) return;
      const end = Math.min(body.length, sent + size);
      const piece = body.subarray(sent, end);
      sent = end;
      if (sent >= body.length) {
        res.end(piece);
      } else {
        res.write(piece);
        this.after(durationMs / (pieces - 1), next);
      }
    };
    next();
  }

  /** Runs `fn` after `ms`, unless close() comes first. */
  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** GET (read), PUT (switch; JSON body) and DELETE (off) /_emulator/fault. */
  private faultAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    const reply = (status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
      const body = JSON.stringify(value);
      res.writeHead(status, {
        ...headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      });
      res.end(body);
    };
    const refuse = (status: number, messages: string[], headers?: http.OutgoingHttpHeaders): void =>
      reply(status, { errors: messages.map((message) => ({ error_code: status, error_message: message })) }, headers);
    const current = (): unknown => this.faultMode ?? { mode: null };

    if (path !== FAULT_ADMIN_PATH) {
      refuse(404, [`no such emulator admin resource: ${path}; the fault mode is at ${FAULT_ADMIN_PATH}`]);
      return;
    }
    if (req.method === 'GET') {
      reply(200, current());
      return;
    }
    if (req.method === 'DELETE') {
      this.switchFaultMode(null);
      reply(200, current());
      return;
    }
    if (req.method !== 'PUT') {
      refuse(405, [`method ${req.method ?? ''} is not allowed on ${FAULT_ADMIN_PATH}; allowed: GET, PUT, DELETE`], {
        allow: 'GET, PUT, DELETE',
      });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_ADMIN_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_ADMIN_BODY_BYTES) {
        refuse(413, [`the body must be at most ${MAX_ADMIN_BODY_BYTES} bytes`]);
        return;
      }
      let input: unknown;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        refuse(400, ['the body must be JSON such as {"mode":"5xx","rate":0.3} or {"mode":null}']);
        return;
      }
      const parsed = parseFaultMode(input);
      if (!parsed.ok) {
        refuse(400, parsed.problems);
        return;
      }
      this.switchFaultMode(parsed.settings);
      reply(200, current());
    });
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

  /** Clumio's answer to an API request, built but not sent. `body` is the request's (POST, PUT, PATCH). */
  private respond(
    req: http.IncomingMessage,
    entry: RecordedRequest,
    path: string,
    params: URLSearchParams,
    body: string | undefined,
  ): Reply {
    try {
      const token = bearerToken(req.headers.authorization);
      if (token === undefined || !this.tokens.has(token)) {
        return errorReply(401, EMULATOR_ERROR_CODES.unauthorized, 'Unauthorized access');
      }
      if (!this.admit(token)) {
        return errorReply(
          429,
          EMULATOR_ERROR_CODES.tooManyRequests,
          `Too many requests: the limit is ${this.rateLimit} requests per second per organization`,
        );
      }

      const route = routeOf(path);
      if (route === undefined) {
        return errorReply(404, EMULATOR_ERROR_CODES.notFound, `no such resource: ${entry.method} ${path}`);
      }
      const { methods, resource, mediaType } = ROUTES[route.kind];
      if (!methods.includes(entry.method)) {
        const allowed = methods.join(', ');
        const message = `method ${entry.method} is not allowed on ${path}; allowed: ${allowed}`;
        return errorReply(405, EMULATOR_ERROR_CODES.methodNotAllowed, message, { allow: allowed });
      }

      const accept = req.headers.accept;
      if (!acceptsResourceVersion(accept, resource, 'v1')) {
        return errorReply(
          406,
          EMULATOR_ERROR_CODES.notAcceptable,
          `Accept "${accept ?? ''}" is not available for this resource; it serves ${mediaType}`,
        );
      }

      const ouHeader = req.headers[ORGANIZATIONAL_UNIT_HEADER];
      const ouId = Array.isArray(ouHeader) ? ouHeader.join(', ') : ouHeader;
      const ou = ouId === undefined ? GLOBAL_ORGANIZATIONAL_UNIT : this.organizationalUnits.get(ouId.trim());
      if (ou === undefined) {
        return errorReply(403, EMULATOR_ERROR_CODES.forbidden, `Organizational unit "${ouId ?? ''}" is not accessible`);
      }

      switch (route.kind) {
        case 'list':
          return this.list(params, ou);
        case 'read':
          return this.read(params, route.id, ou);
        case 'restore':
          return this.restore(req, params, body, token, ou);
        case 'task':
          return entry.method === 'PATCH'
            ? this.updateTask(req, params, body, route.id, token, ou)
            : this.readTask(params, route.id, token, ou);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return errorReply(500, EMULATOR_ERROR_CODES.internal, `internal emulator error: ${message}`);
    }
  }

  private list(params: URLSearchParams, ou: OrganizationalUnit): Reply {
    const parsed = parseListQuery(params);
    if (!parsed.ok) return errorReply(400, EMULATOR_ERROR_CODES.badRequest, parsed.message);
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
    return { status: 200, contentType: EC2_BACKUPS_MEDIA_TYPE, body };
  }

  private read(params: URLSearchParams, backupId: string, ou: OrganizationalUnit): Reply {
    const unexpected = params.keys().next();
    if (unexpected.done !== true) {
      return errorReply(
        400,
        EMULATOR_ERROR_CODES.badRequest,
        `unsupported query parameter "${unexpected.value}"; this endpoint takes none`,
      );
    }
    const json = this.index.itemJson(backupId, ou.accountNativeIds === null ? null : ou);
    if (json === undefined) {
      return errorReply(404, EMULATOR_ERROR_CODES.notFound, `EC2 instance backup "${backupId}" not found`);
    }
    return { status: 200, contentType: EC2_BACKUPS_MEDIA_TYPE, body: json };
  }

  /**
   * POST /restores/aws/ec2-instances: validates the body as the documents describe it, creates the
   * restore's task and answers 202 with RestoreEC2Response (the task embedded with embed=read-task).
   */
  private restore(req: http.IncomingMessage, params: URLSearchParams, body: string | undefined, token: string, ou: OrganizationalUnit): Reply {
    const refused = jsonBodyProblem(req, body);
    if (refused !== undefined) return refused;
    for (const name of params.keys()) {
      if (name !== 'embed') {
        return errorReply(400, EMULATOR_ERROR_CODES.badRequest, `unsupported query parameter "${name}"; supported: embed`);
      }
    }
    const embeds = params.getAll('embed');
    if (embeds.length > 1) return errorReply(400, EMULATOR_ERROR_CODES.badRequest, 'query parameter "embed" given more than once');
    const embed = embeds[0];
    // An empty embed is what the GO SDK once sent when no embed was asked for.
    if (embed !== undefined && embed !== '' && embed !== 'read-task') {
      return errorReply(400, EMULATOR_ERROR_CODES.badRequest, `unsupported embed "${embed}"; the only embeddable link is read-task`);
    }
    const json = parseJson(body as string);
    if (!json.ok) return errorReply(400, EMULATOR_ERROR_CODES.badRequest, json.message);
    const parsed = parseRestoreRequest(json.value);
    if (!parsed.ok) return errorsReply(400, EMULATOR_ERROR_CODES.badRequest, parsed.problems);

    const { backupId, environmentId } = parsed.value;
    const backup = this.index.item(backupId, ou.accountNativeIds === null ? null : ou);
    if (backup === undefined) {
      return errorReply(404, EMULATOR_ERROR_CODES.notFound, `EC2 instance backup "${backupId}" not found`);
    }
    const now = this.now();
    this.lastTaskId += 1;
    const name = backup.tags?.find((tag) => tag.key === 'Name')?.value;
    const task: RestoreTask = {
      id: String(this.lastTaskId),
      token,
      organizationalUnitId: ou.id,
      accountNativeId: backup.account_native_id ?? '',
      backupId,
      createdMs: now,
      timings: this.taskTimings,
      fails: this.restoreFails(backupId),
      primaryEntity: { id: backup.instance_id ?? '', type: 'aws_ec2_instance', value: name ?? backup.instance_native_id ?? '' },
      parentEntity: {
        id: environmentId,
        type: 'aws_environment',
        value: `${backup.account_native_id ?? ''}/${backup.aws_region ?? ''}`,
      },
    };
    this.restoreTasks.set(task.id, task);
    const answer = {
      // CV's examples for other restores show an empty _embedded when nothing was embedded.
      _embedded: embed === 'read-task' ? { 'read-task': taskJson(task, now) } : {},
      _links: {
        _self: { href: RESTORES_PATH, templated: false, type: 'post' },
        'read-task': { href: `${TASKS_PATH}/${encodeURIComponent(task.id)}`, templated: false, type: 'get' },
      },
      task_id: task.id,
    };
    return { status: 202, contentType: RESTORES_MEDIA_TYPE, body: JSON.stringify(answer) };
  }

  /** The task when it exists, belongs to the token's organization and the OU sees its backup's account. */
  private visibleTask(taskId: string, token: string, ou: OrganizationalUnit): RestoreTask | undefined {
    const task = this.restoreTasks.get(taskId);
    if (task === undefined || task.token !== token) return undefined;
    if (ou.accountNativeIds !== null && !ou.accountNativeIds.includes(task.accountNativeId)) return undefined;
    return task;
  }

  /** GET /tasks/{task_id}. */
  private readTask(params: URLSearchParams, taskId: string, token: string, ou: OrganizationalUnit): Reply {
    const unexpected = params.keys().next();
    if (unexpected.done !== true) {
      return errorReply(400, EMULATOR_ERROR_CODES.badRequest, `unsupported query parameter "${unexpected.value}"; this endpoint takes none`);
    }
    const task = this.visibleTask(taskId, token, ou);
    if (task === undefined) return errorReply(404, EMULATOR_ERROR_CODES.notFound, `task "${taskId}" not found`);
    return { status: 200, contentType: TASKS_MEDIA_TYPE, body: JSON.stringify(taskJson(task, this.now())) };
  }

  /** PATCH /tasks/{task_id} with {"status":"aborting"}: aborts a queued or running task; 200 with the task. */
  private updateTask(
    req: http.IncomingMessage,
    params: URLSearchParams,
    body: string | undefined,
    taskId: string,
    token: string,
    ou: OrganizationalUnit,
  ): Reply {
    const refused = jsonBodyProblem(req, body);
    if (refused !== undefined) return refused;
    const unexpected = params.keys().next();
    if (unexpected.done !== true) {
      return errorReply(400, EMULATOR_ERROR_CODES.badRequest, `unsupported query parameter "${unexpected.value}"; this endpoint takes none`);
    }
    const json = parseJson(body as string);
    if (!json.ok) return errorReply(400, EMULATOR_ERROR_CODES.badRequest, json.message);
    const update = parseTaskUpdate(json.value);
    if (!update.ok) return errorsReply(400, EMULATOR_ERROR_CODES.badRequest, update.problems);
    const task = this.visibleTask(taskId, token, ou);
    if (task === undefined) return errorReply(404, EMULATOR_ERROR_CODES.notFound, `task "${taskId}" not found`);
    const now = this.now();
    const { status } = taskState(task, now);
    if (!isAbortable(status)) {
      return errorReply(
        400,
        EMULATOR_ERROR_CODES.badRequest,
        `task "${taskId}" is ${status}; only a queued or in_progress task can be aborted`,
      );
    }
    task.abortRequestedMs = now;
    return { status: 200, contentType: TASKS_MEDIA_TYPE, body: JSON.stringify(taskJson(task, now)) };
  }

  /** POST ADMIN_PATH (a JSON backup) → 201 with the stored backup; DELETE ADMIN_PATH/{id} → 204. */
  private adminRequest(req: http.IncomingMessage, res: http.ServerResponse, entry: RecordedRequest, path: string): void {
    if (this.acceptedToken(req, res, entry) === undefined) {
      req.resume();
      return;
    }
    if (path === ADMIN_PATH) {
      if (entry.method !== 'POST') {
        sendError(res, entry, 405, EMULATOR_ERROR_CODES.methodNotAllowed, `method ${entry.method} is not allowed on ${path}; allowed: POST`, { allow: 'POST' });
        req.resume();
        return;
      }
      readBody(req, MAX_ADMIN_BODY_BYTES).then(
        (body) => {
          if (this.record && body !== undefined) entry.body = body;
          if (body === undefined) {
            sendError(res, entry, 413, 413, `the backup must be at most ${MAX_ADMIN_BODY_BYTES} bytes of JSON`);
            return;
          }
          this.addFromRequest(res, entry, body);
        },
        () => req.socket.destroy(),
      );
      return;
    }
    req.resume();
    const id = safeDecode(path.slice(ADMIN_PATH.length + 1));
    if (id === undefined || id === '' || id.includes('/')) {
      sendError(res, entry, 404, EMULATOR_ERROR_CODES.notFound, `no such resource: ${entry.method} ${path}`);
    } else if (entry.method !== 'DELETE') {
      sendError(res, entry, 405, EMULATOR_ERROR_CODES.methodNotAllowed, `method ${entry.method} is not allowed on ${path}; allowed: DELETE`, { allow: 'DELETE' });
    } else if (this.removeBackup(id)) {
      entry.status = 204;
      res.writeHead(204).end();
    } else {
      sendError(res, entry, 404, EMULATOR_ERROR_CODES.notFound, `EC2 instance backup "${id}" not found`);
    }
  }

  private addFromRequest(res: http.ServerResponse, entry: RecordedRequest, body: string): void {
    let fields: unknown;
    try {
      fields = JSON.parse(body);
    } catch {
      sendError(res, entry, 400, EMULATOR_ERROR_CODES.badRequest, 'the backup is not valid JSON');
      return;
    }
    const added = this.add(fields);
    if (!added.ok) {
      sendError(res, entry, added.status, added.status, added.message);
      return;
    }
    const id = added.backup.id as string;
    const json = this.index.itemJson(id, null) as Buffer;
    send(res, entry, 201, 'application/json', json, { location: `${EC2_BACKUPS_PATH}/${encodeURIComponent(id)}` });
  }

  /** The request's bearer token when it is accepted; otherwise answers 401 (Clumio's 402 body). */
  private acceptedToken(req: http.IncomingMessage, res: http.ServerResponse, entry: RecordedRequest): string | undefined {
    const token = bearerToken(req.headers.authorization);
    if (token !== undefined && this.tokens.has(token)) return token;
    sendError(res, entry, 401, EMULATOR_ERROR_CODES.unauthorized, 'Unauthorized access');
    return undefined;
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

type Route = { kind: 'list' } | { kind: 'read'; id: string } | { kind: 'restore' } | { kind: 'task'; id: string };

/** What each route serves: its methods (for 405 and Allow), and its resource for Accept (406). */
const ROUTES: Readonly<Record<Route['kind'], { methods: readonly string[]; resource: string; mediaType: string }>> = {
  list: { methods: ['GET'], resource: EC2_BACKUPS_RESOURCE, mediaType: EC2_BACKUPS_MEDIA_TYPE },
  read: { methods: ['GET'], resource: EC2_BACKUPS_RESOURCE, mediaType: EC2_BACKUPS_MEDIA_TYPE },
  restore: { methods: ['POST'], resource: RESTORES_RESOURCE, mediaType: RESTORES_MEDIA_TYPE },
  task: { methods: ['GET', 'PATCH'], resource: TASKS_RESOURCE, mediaType: TASKS_MEDIA_TYPE },
};

/** The route of a raw (not decoded) path, or undefined (404). */
function routeOf(path: string): Route | undefined {
  if (path === EC2_BACKUPS_PATH) return { kind: 'list' };
  if (path === RESTORES_PATH) return { kind: 'restore' };
  const id = (prefix: string): string | undefined => {
    const rest = path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : '';
    return rest === '' || rest.includes('/') ? undefined : safeDecode(rest);
  };
  const backupId = id(EC2_BACKUPS_PATH);
  if (backupId !== undefined) return { kind: 'read', id: backupId };
  const taskId = id(TASKS_PATH);
  if (taskId !== undefined) return { kind: 'task', id: taskId };
  return undefined;
}

/** 415 unless the request says its body is JSON; 413 when the body was over MAX_API_BODY_BYTES. */
function jsonBodyProblem(req: http.IncomingMessage, body: string | undefined): Reply | undefined {
  const contentType = req.headers['content-type'];
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return errorReply(
      415,
      EMULATOR_ERROR_CODES.unsupportedMediaType,
      `Content-Type "${contentType ?? ''}" is not supported; send the body as application/json`,
    );
  }
  if (body === undefined) {
    return errorReply(413, EMULATOR_ERROR_CODES.payloadTooLarge, `the body must be at most ${MAX_API_BODY_BYTES} bytes`);
  }
  return undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** A fault that acts on the headers alone: `beforeBody` with something to do that needs no body. */
function actsBeforeBody(fault: EmulatorFault): boolean {
  return fault.beforeBody === true && (fault.destroySocket === true || fault.status !== undefined);
}

/**
 * Whether a request with a body is carried out before an injected fault acts on it: `carriesOut`
 * when given; otherwise yes, unless the fault answers a status (without a reset) that is not one
 * of the 5xx statuses coming from after Clumio's service (STATUSES_AFTER_THE_SERVICE).
 */
export function faultCarriesOut(fault: EmulatorFault): boolean {
  if (fault.carriesOut !== undefined) return fault.carriesOut;
  if (fault.destroySocket !== true && fault.status !== undefined) return STATUSES_AFTER_THE_SERVICE.has(fault.status);
  return true;
}

function parseTaskTimings(given: Partial<TaskTimings> | undefined): Readonly<TaskTimings> {
  const timings = { ...DEFAULT_TASK_TIMINGS, ...given };
  for (const [name, ms] of Object.entries(timings)) {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`createClumioEmulator: taskTimings.${name} must be a number of ms >= 0; got ${ms}`);
  }
  return Object.freeze(timings);
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The request body as text; undefined when it is longer than `limit` bytes. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let tooLong = false;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) tooLong = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLong ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function copyHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function toBuffer(body: string | Buffer): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** The same document with its first name/value separator broken: the length of JSON, but not JSON. */
function malformed(text: string): string {
  const colon = text.indexOf('":');
  return colon === -1 ? `{${text}` : `${text.slice(0, colon + 1)} = ${text.slice(colon + 2)}`;
}

function deliver(res: http.ServerResponse, entry: RecordedRequest, reply: Reply): void {
  send(res, entry, reply.status, reply.contentType, reply.body, reply.headers);
}

function errorReply(status: number, errorCode: number, message: string, headers: http.OutgoingHttpHeaders = {}): Reply {
  return errorsReply(status, errorCode, [message], headers);
}

/** Clumio's error body with one entry per problem (its `errors` is a list). */
function errorsReply(status: number, errorCode: number, messages: readonly string[], headers: http.OutgoingHttpHeaders = {}): Reply {
  const body = JSON.stringify({ errors: messages.map((message) => ({ error_code: errorCode, error_message: message })) });
  return { status, contentType: 'application/json', body, headers };
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
  deliver(res, entry, errorReply(status, errorCode, message, headers));
}
