import { BadUserInputError } from '../errors';
import { decodeCursor } from './cursor';

/**
 * Relay connection arguments → the slice of the upstream list to serve. Pure; validates everything
 * before any upstream call.
 *
 * Offsets are positions in the sorted, filtered upstream list. `after` = offset a keeps items at
 * offsets > a; `before` = offset b keeps items < b (Relay's ApplyCursorsToEdges), then `first`
 * keeps the first n of those and `last` the last n.
 */

export const MAX_PAGE_ITEMS = 100;
export const DEFAULT_PAGE_ITEMS = 10;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * What to serve. `range`: a known [from, to) (to may lie past the list's end). `tail`: the last
 * `count` items at offsets ≥ `from`; where that starts depends on the list's length, which only
 * Clumio knows.
 */
export type ListWindow =
  | { kind: 'range'; from: number; to: number }
  | { kind: 'tail'; from: number; count: number };

function checkCount(name: 'first' | 'last', value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_ITEMS) {
    throw new BadUserInputError(`\`${name}\` must be an integer from 0 to ${MAX_PAGE_ITEMS}; got ${value}.`, name);
  }
  return value;
}

function checkCursor(name: 'after' | 'before', cursor: string | null | undefined, fingerprint: string): number | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const decoded = decodeCursor(cursor, fingerprint);
  if (decoded.ok) return decoded.offset;
  throw new BadUserInputError(
    decoded.reason === 'malformed'
      ? `\`${name}\` is not a cursor this API issued: pass an edge \`cursor\`, \`startCursor\` or \`endCursor\` unchanged.`
      : `\`${name}\` was issued for a different filter or order: send it with the filter and orderBy it came from, or restart paging without a cursor.`,
    name,
  );
}

export function windowFor(args: ConnectionArgs, fingerprint: string): ListWindow {
  const first = checkCount('first', args.first);
  const last = checkCount('last', args.last);
  if (first !== undefined && last !== undefined) {
    throw new BadUserInputError(
      '`first` and `last` cannot be combined: page forward with `first`/`after` or backward with `last`/`before`.',
      first === undefined ? 'last' : 'first',
    );
  }
  const after = checkCursor('after', args.after, fingerprint);
  const before = checkCursor('before', args.before, fingerprint);

  const from = after === undefined ? 0 : after + 1;
  const upper = before === undefined ? Infinity : Math.max(before, from);

  // Neither count: the first 10, or with only `before`, the 10 before it.
  const backward = last !== undefined || (first === undefined && before !== undefined && after === undefined);
  const count = first ?? last ?? DEFAULT_PAGE_ITEMS;

  if (!backward) return { kind: 'range', from, to: Math.min(from + count, upper) };
  if (upper === Infinity) return { kind: 'tail', from, count };
  return { kind: 'range', from: Math.max(from, upper - count), to: upper };
}
