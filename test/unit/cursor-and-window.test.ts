import { decodeCursor, encodeCursor, listFingerprint } from '../../src/paging/cursor';
import { windowFor } from '../../src/paging/connection-window';
import { listQuery } from '../../src/clumio/list-query';

const fp = listFingerprint(listQuery({}).key);
const cursorAt = (offset: number) => encodeCursor(offset, fp);

describe('cursors', () => {
  it('round-trip an offset and are opaque base64url', () => {
    const cursor = cursorAt(42);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, fp)).toEqual({ ok: true, offset: 42 });
  });

  it('are bound to the filter and order they were issued for', () => {
    const asc = listFingerprint(listQuery({ direction: 'ASC' }).key);
    const filtered = listFingerprint(listQuery({ instanceId: 'abc' }).key);
    expect(new Set([fp, asc, filtered]).size).toBe(3);
    expect(decodeCursor(cursorAt(3), asc)).toEqual({ ok: false, reason: 'other-list' });
  });

  it('reject anything not issued here', () => {
    for (const bad of ['', 'abc', '!!!', Buffer.from('v1:-1:' + fp).toString('base64url'), Buffer.from('v2:1:' + fp).toString('base64url'), 'x'.repeat(100)]) {
      expect(decodeCursor(bad, fp)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe('connection window (Relay arguments → offsets)', () => {
  it('defaults to the first 10', () => {
    expect(windowFor({}, fp)).toEqual({ kind: 'range', from: 0, to: 10 });
  });
  it('pages forward from after', () => {
    expect(windowFor({ first: 5, after: cursorAt(9) }, fp)).toEqual({ kind: 'range', from: 10, to: 15 });
    expect(windowFor({ after: cursorAt(9) }, fp)).toEqual({ kind: 'range', from: 10, to: 20 });
  });
  it('pages backward from before, and `before` alone means the 10 before it', () => {
    expect(windowFor({ last: 5, before: cursorAt(20) }, fp)).toEqual({ kind: 'range', from: 15, to: 20 });
    expect(windowFor({ before: cursorAt(20) }, fp)).toEqual({ kind: 'range', from: 10, to: 20 });
    expect(windowFor({ last: 5, before: cursorAt(2) }, fp)).toEqual({ kind: 'range', from: 0, to: 2 });
  });
  it('needs the list length for `last` without `before`', () => {
    expect(windowFor({ last: 3 }, fp)).toEqual({ kind: 'tail', from: 0, count: 3 });
    expect(windowFor({ last: 3, after: cursorAt(4) }, fp)).toEqual({ kind: 'tail', from: 5, count: 3 });
  });
  it('applies after and before together', () => {
    expect(windowFor({ first: 10, after: cursorAt(4), before: cursorAt(8) }, fp)).toEqual({ kind: 'range', from: 5, to: 8 });
    expect(windowFor({ first: 10, after: cursorAt(8), before: cursorAt(4) }, fp)).toEqual({ kind: 'range', from: 9, to: 9 });
  });
  it('refuses bad arguments with BAD_USER_INPUT', () => {
    const code = (args: Parameters<typeof windowFor>[0]) => {
      try {
        windowFor(args, fp);
        return 'no error';
      } catch (error) {
        return (error as { extensions?: { code?: string } }).extensions?.code;
      }
    };
    expect(code({ first: -1 })).toBe('BAD_USER_INPUT');
    expect(code({ first: 101 })).toBe('BAD_USER_INPUT');
    expect(code({ last: 101 })).toBe('BAD_USER_INPUT');
    expect(code({ first: 1, last: 1 })).toBe('BAD_USER_INPUT');
    expect(code({ after: 'nope' })).toBe('BAD_USER_INPUT');
    expect(code({ before: encodeCursor(1, listFingerprint('other')) })).toBe('BAD_USER_INPUT');
    expect(code({ first: 0 })).toBe('no error');
    expect(code({ first: 100 })).toBe('no error');
  });
});
