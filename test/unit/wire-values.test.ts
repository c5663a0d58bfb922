import { parseBackup, parseBackupList, parseLossless } from '../../src/clumio/clumio-json';
import { listQuery } from '../../src/clumio/list-query';
import { serializeUInt64 } from '../../src/graphql/scalars';
import { instantOf, isRfc3339 } from '../../src/paging/start-time';
import { fromGlobalId, toGlobalId } from '../../src/graphql/global-id';

describe('lossless Clumio JSON', () => {
  it('keeps 64-bit sizes above 2^53 digit for digit', () => {
    const parsed = parseLossless('{"size": 18014398509481985, "utilized_size_in_bytes":9007199254740993,"n":1,"tag":"\\"size\\": 12345678901234567"}') as Record<string, unknown>;
    expect(parsed.size).toBe('18014398509481985');
    expect(parsed.utilized_size_in_bytes).toBe('9007199254740993');
    expect(parsed.tag).toBe('"size": 12345678901234567');
    expect(serializeUInt64(parsed.size)).toBe('18014398509481985');
  });
  it('parses with JSON.parse alone unless a 64-bit field is beyond 2^53', () => {
    const exact = '{"id":"b1","size":100,"utilized_size_in_bytes":9007199254740991,"attached_backup_ebs_volumes":[{"size":5368709120}]}';
    expect(parseBackup(exact)).toEqual(JSON.parse(exact));
    const wideVolume = '{"id":"b1","size":100,"attached_backup_ebs_volumes":[{"size":1},{"utilized_size_in_bytes":9007199254740993}]}';
    expect((parseBackup(wideVolume) as any).attached_backup_ebs_volumes[1].utilized_size_in_bytes).toBe('9007199254740993');
    const wideStore = '{"instance_store_block_device_mappings":[{"size":18446744073709551615}]}';
    expect((parseBackup(wideStore) as any).instance_store_block_device_mappings[0].size).toBe('18446744073709551615');
    // 2^53 itself is exact as a double but not a safe integer: it is read again, as digits.
    const list = '{"_embedded":{"items":[{"size":1},{"size":9007199254740992}]},"total_count":2}';
    expect((parseBackupList(list) as any)._embedded.items[1].size).toBe('9007199254740992');
    expect((parseBackupList(list) as any)._embedded.items[0].size).toBe(1);
    // Two literals that round to the same double cannot be told apart by value: read losslessly.
    const colliding = '{"size":18014398509481985,"utilized_size_in_bytes":18014398509481984}';
    expect(parseBackup(colliding)).toEqual({ size: '18014398509481985', utilized_size_in_bytes: '18014398509481984' });
    const repeated = '{"_embedded":{"items":[{"utilized_size_in_bytes":18014398509481985},{"utilized_size_in_bytes":18014398509481985}]}}';
    expect((parseBackupList(repeated) as any)._embedded.items.map((i: any) => i.utilized_size_in_bytes)).toEqual(['18014398509481985', '18014398509481985']);
    // Not an integer literal: left as JSON.parse reads it, for the UInt64 scalar to refuse.
    expect(parseBackup('{"size":1e300,"utilized_size_in_bytes":2.5}')).toEqual({ size: 1e300, utilized_size_in_bytes: 2.5 });
    // Shapes Clumio should not send are parsed as they are; the client judges them.
    expect(parseBackupList('{"_embedded":{"items":[null,7,{"attached_backup_ebs_volumes":{"size":1}}]}}')).toBeTruthy();
    expect(parseBackup('null')).toBeNull();
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
  it('checks a date-time\'s shape exactly as parsing it would', () => {
    const texts: string[] = [];
    for (const year of ['0000', '1900', '2000', '2024', '2025', '9999'])
      for (let month = 0; month <= 13; month++)
        for (const day of [0, 1, 28, 29, 30, 31, 32])
          for (const time of ['00:00:00Z', '23:59:59.999999999+14:00', '24:00:00Z', '12:60:00Z', '12:00:60Z', '12:00:00-24:00', '12:00:00+05:60', '12:00:00z'])
            texts.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${time}`);
    texts.push('2026-03-01t04:00:00Z', '2026-03-01T04:00:00.Z', '2026-03-01T04:00:00.1234567890Z', ' 2026-03-01T04:00:00Z');
    for (const text of texts) expect([text, isRfc3339(text)]).toEqual([text, instantOf(text) !== undefined]);
  });
  it('round-trips global IDs and refuses foreign ones', () => {
    expect(fromGlobalId(toGlobalId('Ec2InstanceBackup', 'b-1'))).toEqual({ type: 'Ec2InstanceBackup', id: 'b-1' });
    expect(() => fromGlobalId(Buffer.from('User:1').toString('base64url'))).toThrow(/not an ID this API issued/);
    expect(() => fromGlobalId('***')).toThrow(/not an ID this API issued/);
  });
});
