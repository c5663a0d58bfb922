import { listQuery } from '../../src/clumio/list-query';
import { boundsFor, planConnection } from '../../src/paging/connection-window';
import type { ConnectionArgs } from '../../src/paging/connection-window';
import { decodeCursor, encodeCursor, identityOf, listFingerprint } from '../../src/paging/cursor';
import type { CursorPosition } from '../../src/paging/cursor';
import { compareTimestamps, instantOf, oneSecondBefore } from '../../src/paging/start-time';

const fp = listFingerprint(listQuery({}).key);
const position = (overrides: Partial<CursorPosition> = {}): CursorPosition => ({
  startTimestamp: '2025-06-01T02:00:00Z',
  identity: identityOf('b-1'),
  rankFromStart: 2,
  rankFromEnd: 3,
  floor: '2025-05-31T22:00:00Z',
  tiedBefore: [identityOf('b-0')],
  tiedAfter: [identityOf('b-2'), identityOf('b-3')],
  offset: 42,
  ...overrides,
});
const cursor = (overrides: Partial<CursorPosition> = {}, fingerprint = fp) => encodeCursor(position(overrides), fingerprint);
const text = (t: string) => Buffer.from(t).toString('base64url');

describe('start times', () => {
  it('compare by instant, whatever the zone or fraction digits', () => {
    expect(compareTimestamps('2025-06-01T02:00:00Z', '2025-06-01T04:00:00+02:00')).toBe(0);
    expect(compareTimestamps('2025-06-01T02:00:00.1Z', '2025-06-01T02:00:00.100000Z')).toBe(0);
    expect(compareTimestamps('2025-06-01T02:00:00.000000001Z', '2025-06-01T02:00:00Z')).toBeGreaterThan(0);
    expect(compareTimestamps('2025-06-01T01:59:59.999999999Z', '2025-06-01T02:00:00Z')).toBeLessThan(0);
    expect(instantOf('0050-03-01T00:00:00Z')?.seconds).toBe(Date.parse('0050-03-01T00:00:00Z') / 1000);
  });
  it('reject what is not RFC 3339', () => {
    for (const bad of ['2025-02-29T00:00:00Z', '2025-06-01T24:00:00Z', '2025-06-01T02:00:00', '2025-06-01', '', null, undefined]) {
      expect(instantOf(bad)).toBeUndefined();
    }
  });
  it('name the second before, in UTC, keeping the fraction', () => {
    expect(oneSecondBefore('2025-06-01T00:00:00Z')).toBe('2025-05-31T23:59:59Z');
    expect(oneSecondBefore('2025-06-01T00:00:00.250+01:00')).toBe('2025-05-31T22:59:59.250Z');
    expect(oneSecondBefore('0001-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('cursors', () => {
  it('round-trip a position and are opaque base64url of bounded length', () => {
    const c = cursor();
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, fp)).toEqual({ ok: true, position: position() });
    for (const floor of [null, undefined]) expect(decodeCursor(cursor({ floor }), fp)).toEqual({ ok: true, position: position({ floor }) });
    const longest = cursor({
      startTimestamp: '2025-06-01T02:00:00.123456789+05:30',
      floor: '2025-06-01T01:59:59.123456789+05:30',
      rankFromStart: 999_999_999,
      rankFromEnd: 999_999_999,
      offset: 999_999_999,
      tiedBefore: [identityOf('a'), identityOf('b')],
    });
    expect(longest.length).toBeLessThanOrEqual(260);
    expect(decodeCursor(longest, fp).ok).toBe(true);
  });

  it('name the boundary item by a short hash of its ID, whatever the ID', () => {
    expect(identityOf('x'.repeat(256))).toMatch(/^[0-9a-f]{10}$/);
    expect(identityOf('b-1')).not.toBe(identityOf('b-2'));
  });

  it('are bound to the filter and order they were issued for', () => {
    const asc = listFingerprint(listQuery({ direction: 'ASC' }).key);
    const filtered = listFingerprint(listQuery({ instanceId: 'abc' }).key);
    expect(new Set([fp, asc, filtered]).size).toBe(3);
    expect(decodeCursor(cursor(), asc)).toEqual({ ok: false, reason: 'other-list' });
  });

  it('remember the offset when known, and read it back', () => {
    expect(decodeCursor(cursor({ offset: undefined }), fp)).toEqual({ ok: true, position: position({ offset: undefined }) });
    expect(decodeCursor(cursor({ offset: 0 }), fp)).toEqual({ ok: true, position: position({ offset: 0 }) });
  });

  it('read v2 cursors, issued before offsets were remembered: their length hint gives the offset', () => {
    // v2's sixth field was the length of the list up to the item's last tie (0: not known).
    const v2 = (rankFromEnd: number, lengthHint: number) => {
      const f = Buffer.from(cursor({ rankFromEnd }), 'base64url').toString().split('|');
      f[0] = 'v2';
      f[6] = String(lengthHint);
      return text(f.join('|'));
    };
    expect(decodeCursor(v2(3, 42), fp)).toEqual({ ok: true, position: position({ rankFromEnd: 3, offset: 39 }) });
    expect(decodeCursor(v2(3, 0), fp)).toEqual({ ok: true, position: position({ rankFromEnd: 3, offset: undefined }) });
    expect(decodeCursor(v2(0, 42), fp)).toEqual({ ok: true, position: position({ rankFromEnd: 0, offset: undefined }) });
  });

  it('recognise v1 offset cursors as outdated', () => {
    expect(decodeCursor(text(`v1:42:${fp}`), fp)).toEqual({ ok: false, reason: 'outdated' });
  });

  it('reject anything not issued here', () => {
    const fields = (c: string) => Buffer.from(c, 'base64url').toString().split('|');
    const tampered = (i: number, value: string) => {
      const f = fields(cursor());
      f[i] = value;
      return text(f.join('|'));
    };
    const bad = [
      '',
      'abc',
      '!!!',
      'x'.repeat(400),
      text('v4|' + fields(cursor()).slice(1).join('|')),
      text('v2|' + fields(cursor({ offset: undefined })).slice(1).join('|')), // v2 always wrote a number
      text(fields(cursor()).slice(0, 9).join('|')),
      tampered(1, 'nothex'),
      tampered(2, 'yesterday'),
      tampered(3, '2025-06-01T02:00:00Z'), // a floor must lie below the start time
      tampered(3, '2025-06-01T02:00:01Z'),
      tampered(4, '-1'),
      tampered(5, '01'),
      tampered(6, '1e3'),
      tampered(7, 'ABCDEF0123'),
      tampered(8, [identityOf('a'), identityOf('b'), identityOf('c')].join(',')),
      tampered(9, 'zz'),
      text(`v1:-1:${fp}`),
    ];
    for (const c of bad) expect([c, decodeCursor(c, fp)]).toEqual([c, { ok: false, reason: 'malformed' }]);
  });
});

describe('cursor bounds (Clumio offers only $lte and $gt on start_timestamp)', () => {
  const p = position();
  it('newest first: after T reads `$lte T`; before T reads `$gt floor`', () => {
    expect(boundsFor({}, 'DESC', p, undefined)).toEqual({ lte: p.startTimestamp });
    expect(boundsFor({}, 'DESC', undefined, p)).toEqual({ gt: p.floor });
  });
  it('oldest first: after T reads `$gt floor`; before T reads `$lte T`', () => {
    expect(boundsFor({}, 'ASC', p, undefined)).toEqual({ gt: p.floor });
    expect(boundsFor({}, 'ASC', undefined, p)).toEqual({ lte: p.startTimestamp });
  });
  it('falls back to one second before T when the floor is unknown, and to no bound when nothing lay below', () => {
    expect(boundsFor({}, 'ASC', position({ floor: undefined }), undefined)).toEqual({ gt: '2025-06-01T01:59:59Z' });
    expect(boundsFor({}, 'ASC', position({ floor: null }), undefined)).toEqual({});
    expect(boundsFor({ gt: '2025-01-01T00:00:00Z' }, 'ASC', position({ floor: null }), undefined)).toEqual({ gt: '2025-01-01T00:00:00Z' });
  });
  it('intersects with the caller\'s filter: the later $gt and the earlier $lte win, compared as instants', () => {
    const caller = { gt: '2025-05-31T23:00:00+01:00', lte: '2025-06-30T00:00:00Z' };
    // 23:00+01:00 is 22:00Z, equal to the floor: either text names the same bound.
    expect(compareTimestamps(boundsFor(caller, 'ASC', p, undefined).gt!, p.floor!)).toBe(0);
    expect(boundsFor({ gt: '2025-06-01T01:00:00Z' }, 'ASC', p, undefined)).toEqual({ gt: '2025-06-01T01:00:00Z' });
    expect(boundsFor(caller, 'DESC', p, undefined)).toEqual({ gt: caller.gt, lte: p.startTimestamp });
    expect(boundsFor({ lte: '2025-06-01T01:00:00Z' }, 'DESC', p, undefined)).toEqual({ lte: '2025-06-01T01:00:00Z' });
    expect(boundsFor(caller, 'DESC', p, position({ startTimestamp: '2025-06-02T00:00:00Z', floor: '2025-06-01T12:00:00Z' }))).toEqual({
      gt: '2025-06-01T12:00:00Z',
      lte: p.startTimestamp,
    });
  });
});

describe('connection plan (Relay arguments)', () => {
  const plan = (args: ConnectionArgs) => planConnection(args, {}, 'DESC', () => fp);
  it('defaults to the first 10, and `before` alone means the 10 before it', () => {
    expect(plan({})).toMatchObject({ take: 'first', count: 10, bounds: {} });
    expect(plan({ before: cursor() })).toMatchObject({ take: 'last', count: 10, before: position() });
    expect(plan({ after: cursor(), before: cursor() })).toMatchObject({ take: 'first', count: 10 });
    expect(plan({ last: 3, after: cursor() })).toMatchObject({ take: 'last', count: 3, after: position() });
  });
  it('keeps one-sided bounds for pageInfo next to the list read', () => {
    const b = cursor({ startTimestamp: '2025-06-02T00:00:00Z', floor: '2025-06-01T12:00:00Z' });
    expect(plan({ after: cursor(), before: b })).toMatchObject({
      bounds: { lte: '2025-06-01T02:00:00Z', gt: '2025-06-01T12:00:00Z' },
      afterBounds: { lte: '2025-06-01T02:00:00Z' },
      beforeBounds: { gt: '2025-06-01T12:00:00Z' },
    });
  });
  it('refuses bad arguments with BAD_USER_INPUT and a message that says what to do', () => {
    const refusal = (args: ConnectionArgs) => {
      try {
        plan(args);
        return 'no error';
      } catch (error) {
        const e = error as { message: string; extensions?: { code?: string } };
        return `${e.extensions?.code}: ${e.message}`;
      }
    };
    expect(refusal({ first: -1 })).toMatch(/^BAD_USER_INPUT: `first` must be an integer from 0 to 100/);
    expect(refusal({ first: 101 })).toMatch(/^BAD_USER_INPUT/);
    expect(refusal({ last: 101 })).toMatch(/^BAD_USER_INPUT/);
    expect(refusal({ first: 1, last: 1 })).toMatch(/^BAD_USER_INPUT: `first` and `last` cannot be combined/);
    expect(refusal({ after: 'nope' })).toMatch(/^BAD_USER_INPUT: `after` is not a cursor this API issued/);
    expect(refusal({ before: cursor({}, listFingerprint('other')) })).toMatch(/^BAD_USER_INPUT: `before` was issued for a different filter or order/);
    expect(refusal({ after: text(`v1:9:${fp}`) })).toMatch(/^BAD_USER_INPUT: `after` comes from an earlier version of this API.*restart paging without a cursor/);
    expect(refusal({ first: 0 })).toBe('no error');
    expect(refusal({ first: 100 })).toBe('no error');
  });
});
