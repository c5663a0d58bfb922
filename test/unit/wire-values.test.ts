import { parseClumioJson } from '../../src/clumio/clumio-json';
import { listQuery } from '../../src/clumio/list-query';
import { isRfc3339, serializeUInt64 } from '../../src/graphql/scalars';
import { fromGlobalId, toGlobalId } from '../../src/graphql/global-id';

describe('lossless Clumio JSON', () => {
  it('keeps 64-bit sizes above 2^53 digit for digit', () => {
    const parsed = parseClumioJson('{"size": 18014398509481985, "utilized_size_in_bytes":9007199254740993,"n":1,"tag":"\\"size\\": 12345678901234567"}') as Record<string, unknown>;
    expect(parsed.size).toBe('18014398509481985');
    expect(parsed.utilized_size_in_bytes).toBe('9007199254740993');
    expect(parsed.tag).toBe('"size": 12345678901234567');
    expect(serializeUInt64(parsed.size)).toBe('18014398509481985');
  });
  it('serialises sizes as numbers while exact', () => {
    expect(serializeUInt64(5_368_709_120)).toBe(5_368_709_120);
    expect(serializeUInt64('9007199254740991')).toBe(9007199254740991);
    expect(() => serializeUInt64(-1)).toThrow();
    expect(() => serializeUInt64('18446744073709551616')).toThrow();
  });
});

describe('filter and sort translation', () => {
  it('writes the contract\'s Clumio filter JSON and sort', () => {
    expect(listQuery({})).toMatchObject({ sort: '-start_timestamp', filter: '' });
    expect(listQuery({ direction: 'ASC' }).sort).toBe('start_timestamp');
    expect(listQuery({ instanceId: 'i1', startedAtOrBefore: '2026-01-02T00:00:00Z', startedAfter: '2026-01-01T00:00:00Z' }).filter).toBe(
      '{"instance_id":{"$eq":"i1"},"start_timestamp":{"$lte":"2026-01-02T00:00:00Z","$gt":"2026-01-01T00:00:00Z"}}',
    );
  });
});

describe('scalars and IDs', () => {
  it('accepts RFC 3339 with a zone only', () => {
    expect(isRfc3339('2026-03-01T04:00:00Z')).toBe(true);
    expect(isRfc3339('2026-03-01T04:00:00.123+02:00')).toBe(true);
    expect(isRfc3339('2026-02-30T04:00:00Z')).toBe(false);
    expect(isRfc3339('2026-03-01T04:00:00')).toBe(false);
    expect(isRfc3339('2026-03-01')).toBe(false);
  });
  it('round-trips global IDs and refuses foreign ones', () => {
    expect(fromGlobalId(toGlobalId('Ec2InstanceBackup', 'b-1'))).toEqual({ type: 'Ec2InstanceBackup', id: 'b-1' });
    expect(() => fromGlobalId(Buffer.from('User:1').toString('base64url'))).toThrow(/not an ID this API issued/);
    expect(() => fromGlobalId('***')).toThrow(/not an ID this API issued/);
  });
});
