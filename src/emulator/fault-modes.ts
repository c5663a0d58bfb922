/**
 * Persistent fault modes for the Clumio emulator: a way of misbehaving that stays on until it is
 * switched off (unlike a one-off injected fault), applied to a share of requests picked by a seeded
 * PRNG so a run repeats. Shared by the emulator, its admin endpoint and its CLI, which all accept
 * the same settings and report the same problems.
 */
import { mulberry32 } from './seed-data';

export const FAULT_MODES = [
  'latency',
  'hang',
  '5xx',
  '429',
  'reset',
  'truncated-json',
  'malformed-json',
  'wrong-content-type',
  'slow-body',
] as const;

export type FaultModeName = (typeof FAULT_MODES)[number];

/** What each mode does to a request it hits; used by the CLI's --help. */
export const FAULT_MODE_DESCRIPTIONS: Readonly<Record<FaultModeName, string>> = {
  latency: 'answer normally, after latencyMs',
  hang: 'never answer, until the client gives up or the mode is switched (held requests are then answered)',
  '5xx': 'answer 502, 503, 500 in turn (or `statuses`) with a Clumio error body',
  '429': 'answer 429 with a Clumio error body and Retry-After: retryAfterSeconds',
  reset: 'reset the connection (TCP RST) without answering',
  'truncated-json': "the real answer's status and media type, its body cut in half (Content-Length matches the cut)",
  'malformed-json': "the real answer's status and media type, its body made invalid JSON",
  'wrong-content-type': '200 text/html (a proxy\'s maintenance page)',
  'slow-body': 'headers at once, then the real body trickled out over latencyMs',
};

/**
 * 5xx statuses that come from Clumio's service after it took the request (it failed, or its answer
 * was too slow for the proxy); the other 5xx statuses come from in front of it (the service was
 * never reached). The documents say nothing about 5xx; this is the emulator's choice.
 */
export const STATUSES_AFTER_THE_SERVICE: ReadonlySet<number> = new Set([500, 504]);

/** The status the `5xx` mode answers to its hit number `hit` (the rotation through `statuses`). */
export function serverErrorStatus(settings: FaultModeSettings, hit: number): number {
  return settings.statuses[hit % settings.statuses.length] ?? 503;
}

/**
 * Whether a request that changes something (a restore, a task abort) is carried out before the
 * mode acts on it: the fault then only loses, delays or mangles the answer, and the restore has
 * started all the same. Not for `429` and `wrong-content-type` (a gateway or proxy in front of
 * the service answers) nor for 5xx statuses outside STATUSES_AFTER_THE_SERVICE.
 */
export function modeCarriesOut(settings: FaultModeSettings, hit: number): boolean {
  switch (settings.mode) {
    case '429':
    case 'wrong-content-type':
      return false;
    case '5xx':
      return STATUSES_AFTER_THE_SERVICE.has(serverErrorStatus(settings, hit));
    case 'latency':
    case 'hang':
    case 'reset':
    case 'truncated-json':
    case 'malformed-json':
    case 'slow-body':
      return true;
  }
}

/** Settings a caller may give; each has a default. */
export interface FaultModeOptions {
  /** Share of requests hit, from 0 to 1; default 1 (every request). */
  rate?: number;
  /** `latency`: delay before answering; `slow-body`: time over which the body is sent. Default 1000. */
  latencyMs?: number;
  /** Seed of the PRNG that picks the requests hit; default 1. The sequence restarts when a mode is set. */
  seed?: number;
  /** `5xx`: statuses (500 to 599) answered in turn; default [502, 503, 500]. */
  statuses?: number[];
  /** `429`: the Retry-After header, in seconds; default 1. */
  retryAfterSeconds?: number;
}

export interface FaultModeSettings {
  mode: FaultModeName;
  rate: number;
  latencyMs: number;
  seed: number;
  statuses: number[];
  retryAfterSeconds: number;
}

/** The active mode with its counters. */
export interface FaultModeStatus extends FaultModeSettings {
  /** API requests that arrived while the mode was on (injected one-off faults aside). */
  seen: number;
  /** Of those, the requests the mode hit. */
  hit: number;
  /** Requests the `hang` mode holds now (their clients have not given up yet). */
  held: number;
}

export const DEFAULT_FAULT_SETTINGS: Omit<FaultModeSettings, 'mode'> = {
  rate: 1,
  latencyMs: 1_000,
  seed: 1,
  statuses: [502, 503, 500],
  retryAfterSeconds: 1,
};

export type FaultModeParse = { ok: true; settings: FaultModeSettings | null } | { ok: false; problems: string[] };

const OPTION_NAMES: ReadonlySet<string> = new Set(['rate', 'latencyMs', 'seed', 'statuses', 'retryAfterSeconds']);

/**
 * Validates `{ mode, ...options }` (the admin endpoint's JSON body, or setFaultMode's arguments),
 * reporting every problem at once. `mode: null` switches faults off.
 */
export function parseFaultMode(input: unknown): FaultModeParse {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: ['expected a JSON object such as {"mode":"5xx","rate":0.3}'] };
  }
  const record = input as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(record)) {
    if (key !== 'mode' && !OPTION_NAMES.has(key)) {
      problems.push(`unknown setting "${key}"; known: mode, ${[...OPTION_NAMES].join(', ')}`);
    }
  }
  const { mode } = record;
  if (mode === null) {
    const given = Object.keys(record).filter((key) => OPTION_NAMES.has(key));
    if (given.length > 0) problems.push(`settings (${given.join(', ')}) need a mode; "mode": null switches faults off`);
    return problems.length > 0 ? { ok: false, problems } : { ok: true, settings: null };
  }
  if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode)) {
    // JSON.stringify(undefined) is undefined, whatever its declared type says.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    problems.push(`mode must be null or one of ${FAULT_MODES.join(', ')}; got ${JSON.stringify(mode) ?? 'nothing'}`);
  }

  const settings: Omit<FaultModeSettings, 'mode'> = { ...DEFAULT_FAULT_SETTINGS };
  const { rate, latencyMs, seed, statuses, retryAfterSeconds } = record;
  if (rate !== undefined) {
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      problems.push(`rate must be a number from 0 to 1; got ${JSON.stringify(rate)}`);
    } else settings.rate = rate;
  }
  if (latencyMs !== undefined) {
    if (!isIntegerIn(latencyMs, 0, 600_000)) problems.push(`latencyMs must be an integer from 0 to 600000; got ${JSON.stringify(latencyMs)}`);
    else settings.latencyMs = latencyMs;
  }
  if (seed !== undefined) {
    if (!isIntegerIn(seed, 0, 0xffff_ffff)) problems.push(`seed must be an integer from 0 to 4294967295; got ${JSON.stringify(seed)}`);
    else settings.seed = seed;
  }
  if (statuses !== undefined) {
    if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => isIntegerIn(s, 500, 599))) {
      problems.push(`statuses must be a non-empty list of HTTP statuses from 500 to 599; got ${JSON.stringify(statuses)}`);
    } else settings.statuses = [...statuses];
  }
  if (retryAfterSeconds !== undefined) {
    if (!isIntegerIn(retryAfterSeconds, 0, 86_400)) {
      problems.push(`retryAfterSeconds must be an integer from 0 to 86400; got ${JSON.stringify(retryAfterSeconds)}`);
    } else settings.retryAfterSeconds = retryAfterSeconds;
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, settings: { mode: mode as FaultModeName, ...settings } };
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Decides, request by request, whether the active mode hits; counts what it saw. */
export class FaultModeState {
  private readonly random: () => number;
  private seen = 0;
  private hit = 0;

  constructor(readonly settings: FaultModeSettings) {
    this.random = mulberry32(settings.seed);
  }

  /** One draw per request, so the same request sequence is hit the same way every run. Returns the hit's index, or -1. */
  draw(): number {
    this.seen += 1;
    const roll = this.random();
    if (roll >= this.settings.rate) return -1;
    this.hit += 1;
    return this.hit - 1;
  }

  status(): Omit<FaultModeStatus, 'held'> {
    return { ...this.settings, statuses: [...this.settings.statuses], seen: this.seen, hit: this.hit };
  }
}
