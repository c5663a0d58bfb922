/**
 * Validation of GET /backups/aws/ec2-instances query parameters, per the endpoint document:
 * `limit`, `start` (page number from 1), `sort` (`start_timestamp` / `-start_timestamp`) and
 * `filter` (`instance_id` $eq, `start_timestamp` $lte / $gt). Pure: no I/O, no data.
 *
 * Every rejection carries a message naming what was wrong, as Clumio's 400 bodies do.
 */

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;
export const LIST_QUERY_PARAMETERS: readonly string[] = ['limit', 'start', 'sort', 'filter'];

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export interface ListFilter {
  instanceId?: string;
  /** Inclusive upper bound, epoch ms (floored: exact for whole-millisecond data, see parseRfc3339). */
  lteMs?: number;
  /** Exclusive lower bound, epoch ms (floored, likewise). */
  gtMs?: number;
  /** The filter as applied, compact JSON; "" when nothing is filtered. */
  applied: string;
}

export interface ListQuery {
  /** Effective page size (clamped to MAX_LIMIT). */
  limit: number;
  /** Page number, from 1. */
  start: number;
  descending: boolean;
  /** The request's `sort`, repeated in the `_links` hrefs; undefined when absent. */
  sort: string | undefined;
  /** The request's `filter` as compact JSON, repeated in the `_links` hrefs; undefined when absent. */
  filterParam: string | undefined;
  filter: ListFilter;
}

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
const INTEGER = /^[0-9]+$/;

/** Parses the four documented parameters; any other parameter, or a repeated one, is rejected. */
export function parseListQuery(params: URLSearchParams): Parsed<ListQuery> {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!LIST_QUERY_PARAMETERS.includes(name)) {
      return fail(`unsupported query parameter "${name}"; supported: ${LIST_QUERY_PARAMETERS.join(', ')}`);
    }
    if (seen.has(name)) return fail(`query parameter "${name}" given more than once`);
    seen.add(name);
  }

  let limit = DEFAULT_LIMIT;
  const rawLimit = params.get('limit');
  if (rawLimit !== null) {
    const n = INTEGER.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(n >= 1)) return fail(`invalid limit "${rawLimit}": must be an integer >= 1`);
    limit = Math.min(n, MAX_LIMIT);
  }

  let start = 1;
  const rawStart = params.get('start');
  if (rawStart !== null) {
    const n = INTEGER.test(rawStart) ? Number(rawStart) : NaN;
    if (!(n >= 1) || !Number.isSafeInteger(n)) {
      return fail(`invalid start "${rawStart}": must be a page number, an integer >= 1`);
    }
    start = n;
  }

  const sort = params.get('sort') ?? undefined;
  if (sort !== undefined && sort !== 'start_timestamp' && sort !== '-start_timestamp') {
    return fail(`invalid sort "${sort}": supported: start_timestamp, -start_timestamp`);
  }

  const rawFilter = params.get('filter');
  let filter: ListFilter = { applied: '' };
  let filterParam: string | undefined;
  if (rawFilter !== null) {
    const parsed = parseFilter(rawFilter);
    if (!parsed.ok) return parsed;
    filter = parsed.value;
    filterParam = parsed.value.compact;
  }

  return {
    ok: true,
    value: { limit, start, descending: sort !== 'start_timestamp', sort, filterParam, filter },
  };
}

const SUPPORTED_CONDITIONS: Readonly<Record<string, readonly string[]>> = {
  instance_id: ['$eq'],
  start_timestamp: ['$lte', '$gt'],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one `filter` value (already URL-decoded). */
export function parseFilter(raw: string): Parsed<ListFilter & { compact: string }> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail(`invalid filter: not valid JSON: ${truncate(raw)}`);
  }
  if (!isObject(json)) return fail('invalid filter: must be a JSON object such as {"instance_id":{"$eq":"…"}}');

  const filter: ListFilter = { applied: '' };
  const fields = Object.keys(SUPPORTED_CONDITIONS);
  for (const [field, conditions] of Object.entries(json)) {
    const supported = SUPPORTED_CONDITIONS[field];
    if (supported === undefined) {
      return fail(`invalid filter: unsupported field "${field}"; supported: ${fields.join(', ')}`);
    }
    if (!isObject(conditions) || Object.keys(conditions).length === 0) {
      const example = `{"${supported[0] ?? '$eq'}":…}`;
      return fail(
        `invalid filter: ${field} must map to an object of conditions, such as ${example}; supported: ${supported.join(', ')}`,
      );
    }
    for (const [op, value] of Object.entries(conditions)) {
      if (!supported.includes(op)) {
        return fail(`invalid filter: unsupported condition ${op} on ${field}; supported: ${supported.join(', ')}`);
      }
      if (typeof value !== 'string') {
        return fail(`invalid filter: ${field} ${op} must be a string, got ${describe(value)}`);
      }
      if (field === 'instance_id') {
        filter.instanceId = value;
        continue;
      }
      const ms = parseRfc3339(value);
      if (ms === undefined) {
        return fail(`invalid filter: ${field} ${op} must be an RFC-3339 timestamp, got "${truncate(value)}"`);
      }
      if (op === '$lte') filter.lteMs = ms;
      else filter.gtMs = ms;
    }
  }
  const compact = JSON.stringify(json);
  filter.applied = Object.keys(json).length === 0 ? '' : compact;
  return { ok: true, value: { ...filter, compact } };
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * An RFC-3339 date-time as epoch milliseconds, floored to the millisecond; undefined when invalid.
 *
 * Flooring is exact for the comparisons the filter needs, because the data's timestamps are whole
 * milliseconds: for an integer item time x and a bound t, `x <= t` ⇔ `x <= floor(t)` and
 * `x > t` ⇔ `x > floor(t)`. So "…T02:00:00.0001Z" excludes an item at 02:00:00 from $lte and
 * includes nothing extra in $gt. Leap seconds (":60") are rejected.
 */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
