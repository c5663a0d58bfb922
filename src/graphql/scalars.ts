import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError, unexpectedUpstream } from '../errors';
import { isRfc3339 } from '../paging/start-time';

/**
 * The schema's custom scalars (descriptions live in schema/base.graphql).
 */

/**
 * DateTime accepts a real RFC 3339 date-time with a zone (not 2026-02-30, not 25:00). Second 60 is
 * refused: Clumio's API (Go's RFC 3339 parser) refuses leap seconds, and an input it would refuse
 * must fail here, before any upstream call. The check is paging's, which parses start times anyway.
 */

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !isRfc3339(value)) {
    throw new BadUserInputError(
      `DateTime must be an RFC 3339 timestamp with a time zone, e.g. "2026-03-01T04:00:00Z"; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  // Clumio's own text is passed through; anything that is not a timestamp is a field error, not a guess.
  serialize(value) {
    if (typeof value === 'string' && isRfc3339(value)) return value;
    throw unexpectedUpstream(`a timestamp that is not RFC 3339 (${JSON.stringify(value).slice(0, 40)})`);
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) parseDateTime(undefined);
    return parseDateTime((ast as { value?: unknown }).value);
  },
});

const MAX_UINT64 = 2n ** 64n - 1n;

/** A JSON number while exact, else the decimal digits (see the scalar's description). */
export function serializeUInt64(value: unknown): number | string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    const big = BigInt(value);
    if (big <= MAX_UINT64) return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
  }
  if (typeof value === 'bigint' && value >= 0n && value <= MAX_UINT64) {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  throw unexpectedUpstream(`a size that is not an unsigned 64-bit integer (${String(value).slice(0, 40)})`);
}

export const UInt64 = new GraphQLScalarType<number | string, number | string>({
  name: 'UInt64',
  serialize: serializeUInt64,
  parseValue(value) {
    try {
      return serializeUInt64(typeof value === 'number' ? value : String(value));
    } catch {
      throw new BadUserInputError('UInt64 must be a non-negative integer below 2^64, as a number or a string of digits.');
    }
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT && ast.kind !== Kind.STRING) {
      throw new BadUserInputError('UInt64 must be a non-negative integer below 2^64, as a number or a string of digits.');
    }
    return serializeUInt64(ast.value);
  },
});
