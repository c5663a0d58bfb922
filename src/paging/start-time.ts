/**
 * Backup start times as instants, for keyset cursors. Pure.
 *
 * Clumio's `start_timestamp` is RFC 3339 text. Cursors carry it verbatim and send it back in
 * `$lte`/`$gt` filters, so the gateway never rounds it: it only needs to compare two such texts and,
 * when nothing better is known, name the instant one second earlier. Fractions of any length are
 * compared exactly (JavaScript dates would stop at milliseconds).
 */

export interface Instant {
  /** Whole seconds since the epoch, UTC. */
  seconds: number;
  /** The fraction's digits without trailing zeros ('' for a whole second). */
  fraction: string;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * The shape of an RFC 3339 date-time with every field in range; only a day of 29 to 31 needs its
 * month (and year) looked at. One match instead of a parse, for output values.
 */
const RFC3339_SHAPE = /^(\d{4})-(0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8]|(29|3[01]))[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** True for a real RFC 3339 date-time with a zone: exactly what instantOf accepts, without parsing it. */
export function isRfc3339(text: string): boolean {
  const m = RFC3339_SHAPE.exec(text);
  return m !== null && (m[3] === undefined || Number(m[3]) <= daysInMonth(Number(m[1]), Number(m[2])));
}

/** The instant an RFC 3339 date-time names; undefined when the text is not one. */
export function instantOf(text: string | null | undefined): Instant | undefined {
  const m = typeof text === 'string' ? RFC3339.exec(text) : null;
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Date.UTC maps years 0..99 to 1900..1999; shift by 400 years (same calendar) and back.
  const shift = year < 100 ? 400 : 0;
  const ms = Date.UTC(year + shift, month - 1, day, hour, minute, second) - (shift === 0 ? 0 : Date.UTC(2000, 0, 1) - Date.UTC(1600, 0, 1));
  let fraction = m[7] ?? '';
  if (fraction.endsWith('0')) fraction = fraction.replace(/0+$/, '');
  return { seconds: ms / 1000 - offsetMinutes * 60, fraction };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Negative, zero or positive as instant a is before, equal to or after instant b. */
export function compareInstants(a: Instant, b: Instant): number {
  if (a.seconds !== b.seconds) return a.seconds - b.seconds;
  const width = Math.max(a.fraction.length, b.fraction.length);
  const fa = a.fraction.padEnd(width, '0');
  const fb = b.fraction.padEnd(width, '0');
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

/** Compares two RFC 3339 texts by instant; both must be valid (callers check with instantOf). */
export function compareTimestamps(a: string, b: string): number {
  const ia = instantOf(a);
  const ib = instantOf(b);
  if (!ia || !ib) throw new Error(`not RFC 3339: ${ia ? b : a}`);
  return compareInstants(ia, ib);
}

/**
 * The instant one second before `text`, in UTC, keeping its fraction; undefined outside years 1..9999.
 *
 * Used as a `$gt` bound meaning "from `text` on" when the start time just below it is not known.
 * That is exact when start times are whole seconds, as Clumio returns them; with finer times,
 * items in the second before `text` are selected too, and the paging code recognises and skips
 * them by their start time (see keyset.ts).
 */
export function oneSecondBefore(text: string): string | undefined {
  const m = RFC3339.exec(text);
  const instant = instantOf(text);
  if (!m || !instant) return undefined;
  const date = new Date((instant.seconds - 1) * 1000);
  if (date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return undefined;
  const fraction = m[7] === undefined ? '' : `.${m[7]}`;
  return `${date.toISOString().slice(0, 19)}${fraction}Z`;
}
