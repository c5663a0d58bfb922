/**
 * JSON writing that keeps 64-bit integers exact.
 *
 * The wire types carry a uint64 above 2^53 as its decimal digits in a string (see WireUInt64).
 * Clumio sends such values as bare JSON numbers, so the emulator must too; Node 20 has no
 * JSON.rawJSON, so the digits are smuggled through JSON.stringify inside a marker and unwrapped.
 */

/** The wire fields typed WireUInt64 (bytes or GB counts). */
const UINT64_FIELDS: ReadonlySet<string> = new Set(['size', 'utilized_size_in_bytes']);

// U+0000 never occurs in the seeded strings, and JSON.stringify writes it as the escape \u0000.
const MARK = '\u0000uint64:';
const MARKED = /"\\u0000uint64:(\d+)"/g;
const DIGITS = /^(0|[1-9]\d*)$/;

/** Serialises like JSON.stringify (compact), but writes digit strings in uint64 fields as bare numbers. */
export function stringifyWithUint64(value: unknown): string {
  const text = JSON.stringify(value, (key: string, v: unknown) =>
    UINT64_FIELDS.has(key) && typeof v === 'string' && DIGITS.test(v) ? MARK + v : v,
  );
  // JSON.stringify answers undefined for what JSON cannot hold, whatever its declared type says.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (text === undefined) throw new TypeError('value is not JSON-serialisable');
  return text.replace(MARKED, '$1');
}
