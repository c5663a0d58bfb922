/** Pure parts of the emulator: query validation, RFC-3339 parsing, Accept negotiation, uint64 JSON. */
import { parseFilter, parseListQuery, parseRfc3339 } from '../../src/emulator/list-query';
import { acceptsResourceVersion } from '../../src/emulator/media-type';
import { stringifyWithUint64 } from '../../src/emulator/raw-json';

describe('parseListQuery', () => {
  it('defaults to limit 10, page 1, newest first, no filter', () => {
    expect(parseListQuery(new URLSearchParams(''))).toEqual({
      ok: true,
      value: { limit: 10, start: 1, descending: true, sort: undefined, filterParam: undefined, filter: { applied: '' } },
    });
  });

  it('clamps the limit, keeps leading zeros meaningful and reads the sort direction', () => {
    const parsed = parseListQuery(new URLSearchParams('limit=100000000000000000000&start=007&sort=start_timestamp'));
    expect(parsed).toMatchObject({ ok: true, value: { limit: 100, start: 7, descending: false, sort: 'start_timestamp' } });
  });

  it('keeps the filter compact for links and reports what is applied', () => {
    const parsed = parseListQuery(new URLSearchParams({ filter: '{ "start_timestamp" : { "$gt" : "2025-05-01T00:00:00Z" } }' }));
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        filterParam: '{"start_timestamp":{"$gt":"2025-05-01T00:00:00Z"}}',
        filter: { gtMs: Date.parse('2025-05-01T00:00:00Z'), applied: '{"start_timestamp":{"$gt":"2025-05-01T00:00:00Z"}}' },
      },
    });
  });

  it('rejects a start beyond the safe integer range', () => {
    expect(parseListQuery(new URLSearchParams('start=99999999999999999999'))).toEqual({
      ok: false,
      message: 'invalid start "99999999999999999999": must be a page number, an integer >= 1',
    });
  });
});

describe('parseFilter', () => {
  it('combines two operators on one field with an instance_id', () => {
    const parsed = parseFilter(
      '{"instance_id":{"$eq":"abc"},"start_timestamp":{"$gt":"2025-05-01T00:00:00Z","$lte":"2025-05-02T00:00:00Z"}}',
    );
    expect(parsed).toMatchObject({
      ok: true,
      value: { instanceId: 'abc', gtMs: Date.parse('2025-05-01T00:00:00Z'), lteMs: Date.parse('2025-05-02T00:00:00Z') },
    });
  });

  it('names the problem', () => {
    expect(parseFilter('{"start_timestamp":{"$gte":"2025-05-01T00:00:00Z"}}')).toEqual({
      ok: false,
      message: 'invalid filter: unsupported condition $gte on start_timestamp; supported: $lte, $gt',
    });
    expect(parseFilter('{"instance_id":{"$eq":null}}')).toEqual({
      ok: false,
      message: 'invalid filter: instance_id $eq must be a string, got null',
    });
  });
});

describe('parseRfc3339', () => {
  const utc = (text: string): number => Date.parse(text);

  it.each<[string, number]>([
    ['2025-05-01T02:00:00Z', utc('2025-05-01T02:00:00Z')],
    ['2025-05-01t02:00:00z', utc('2025-05-01T02:00:00Z')],
    ['2025-05-01T04:00:00+02:00', utc('2025-05-01T02:00:00Z')],
    ['2025-04-30T20:30:00-05:30', utc('2025-05-01T02:00:00Z')],
    ['2025-05-01T02:00:00.5Z', utc('2025-05-01T02:00:00.500Z')],
    ['2025-05-01T02:00:00.123999999Z', utc('2025-05-01T02:00:00.123Z')],
    ['2024-02-29T00:00:00Z', utc('2024-02-29T00:00:00Z')],
    ['0001-01-01T00:00:00Z', -62_135_596_800_000],
    ['1985-04-12T23:20:50.52Z', utc('1985-04-12T23:20:50.520Z')],
  ])('parses %s', (text, ms) => {
    expect(parseRfc3339(text)).toBe(ms);
  });

  it.each([
    '2025-05-01',
    '2025-05-01T02:00:00',
    '2025-05-01 02:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-05-01T24:00:00Z',
    '2025-05-01T23:60:00Z',
    '2025-05-01T23:59:60Z',
    '2025-05-01T02:00:00+2:00',
    '2025-05-01T02:00:00+24:00',
    '2025-05-01T02:00:00.Z',
    '1714521600',
    '',
  ])('rejects %j', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});

describe('acceptsResourceVersion', () => {
  const ok = (accept: string | undefined): boolean => acceptsResourceVersion(accept, 'backup-aws-ec2-instances', 'v1');

  it.each([
    undefined,
    '',
    '*/*',
    'application/*',
    'application/json',
    'application/api.clumio.backup-aws-ec2-instances=v1+json',
    'application/api.clumio.*=v1+json',
    'application/api.clumio.*=v1',
    'application/api.clumio.*=v3&backup-aws-ec2-instances=v1+json',
    'application/api.clumio.tasks=v2&*=v1+json',
    'text/plain;q=1, application/json;q=0.5',
  ])('accepts %j', (accept) => {
    expect(ok(accept)).toBe(true);
  });

  it.each([
    'application/api.clumio.backup-aws-ec2-instances=v2+json',
    'application/api.clumio.*=v2+json',
    'application/api.clumio.*=v1&backup-aws-ec2-instances=v2+json',
    'application/api.clumio.tasks=v1+json',
    'application/xml',
    'application/json;q=0',
    '*/*;q=0.0',
  ])('refuses %j', (accept) => {
    expect(ok(accept)).toBe(false);
  });
});

describe('stringifyWithUint64', () => {
  it('writes digit strings in size fields as bare numbers and leaves everything else alone', () => {
    const text = stringifyWithUint64({
      size: '18014398509481985',
      utilized_size_in_bytes: 12,
      nested: [{ size: '9007199254740993', name: '18014398509481985' }],
      other: 'x\u0000y',
    });
    expect(text).toBe(
      '{"size":18014398509481985,"utilized_size_in_bytes":12,"nested":[{"size":9007199254740993,"name":"18014398509481985"}],"other":"x\\u0000y"}',
    );
  });
});
