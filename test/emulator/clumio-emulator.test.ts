/**
 * The Clumio emulator over real HTTP (ephemeral port, global fetch): paging, sorting, filtering,
 * errors, headers, organizational units, links and the request log.
 */
import * as http from 'node:http';
import type { WireEc2Backup } from '../../src/clumio/wire-types';
import { EC2_BACKUPS_MEDIA_TYPE, EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import type { ClumioEmulator } from '../../src/emulator';
import {
  BACKUP_ID_WITH_HUGE_UTILIZED_SIZE,
  createClumioEmulator,
  DEFAULT_EMULATOR_TOKEN,
  GLOBAL_ORGANIZATIONAL_UNIT_ID,
  HUGE_UTILIZED_SIZE_IN_BYTES,
  ORGANIZATIONAL_UNITS,
  PAYMENTS_OU_ID,
  PRODUCTION_OU_ID,
  RESEARCH_OU_ID,
} from '../../src/emulator';
import { AUTH, compareAscending, errorOf, get, list, listAll, listPath, startMs } from './emulator-http';

let emulator: ClumioEmulator;
let url: string;
let newestFirst: readonly WireEc2Backup[];
let oldestFirst: WireEc2Backup[];

beforeAll(async () => {
  emulator = createClumioEmulator();
  url = await emulator.listen();
  newestFirst = emulator.backups;
  oldestFirst = [...newestFirst].reverse();
});

afterAll(async () => {
  await emulator.close();
});

const ids = (items: readonly WireEc2Backup[]): string[] => items.map((b) => b.id ?? '');
/** Deep-comparable copy: the huge uint64 cannot survive JSON.parse, so it is blanked on both sides. */
const comparable = (b: WireEc2Backup): WireEc2Backup =>
  b.id === BACKUP_ID_WITH_HUGE_UTILIZED_SIZE ? { ...b, utilized_size_in_bytes: null } : b;

/** Index k such that items k-1 and k have the same start_timestamp and k is a multiple of `size`. */
function boundaryInsideTie(items: readonly WireEc2Backup[], size: number): number {
  for (let k = size; k < items.length; k += size) {
    if (items[k - 1]?.start_timestamp === items[k]?.start_timestamp) return k;
  }
  throw new Error('no page boundary inside a tie group');
}

describe('listen and url', () => {
  it('serves on an ephemeral loopback port and refuses a second listen', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.url).toBe(url);
    await expect(emulator.listen()).rejects.toThrow(/already listening/);
  });

  it('throws when url is read before listen', async () => {
    const idle = createClumioEmulator();
    expect(() => idle.url).toThrow(/not listening/);
    await idle.close();
  });
});

describe('GET /backups/aws/ec2-instances defaults', () => {
  it('returns page 1 of 10, newest first, with the documented envelope', async () => {
    const response = await get(url, EC2_BACKUPS_PATH);
    expect(response.status).toBe(200);
    expect(response.contentType).toBe(EC2_BACKUPS_MEDIA_TYPE);
    const body = JSON.parse(response.text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['_embedded', '_links', 'current_count', 'filter_applied', 'limit', 'start', 'total_count', 'total_pages_count'].sort(),
    );
    const page = await list(url);
    expect(page.limit).toBe(10);
    expect(page.start).toBe('1');
    expect(page.current_count).toBe(10);
    expect(page.filter_applied).toBe('');
    expect(page.total_count).toBe(newestFirst.length);
    expect(page.total_pages_count).toBe(Math.ceil(newestFirst.length / 10));
    expect(ids(page.items)).toEqual(ids(newestFirst.slice(0, 10)));
    expect(page.items.map(comparable)).toEqual(newestFirst.slice(0, 10).map(comparable));
  });

  it('clamps limit above 100 to 100 and reports the effective limit', async () => {
    const page = await list(url, { limit: 500 });
    expect(page.limit).toBe(100);
    expect(page.current_count).toBe(100);
    expect(page.total_pages_count).toBe(Math.ceil(newestFirst.length / 100));
    expect(page._links?._next?.href).toBe(`${EC2_BACKUPS_PATH}?limit=100&start=2`);
    expect(ids(page.items)).toEqual(ids(newestFirst.slice(0, 100)));
  });

  it('answers 200 with no items for a page past the end', async () => {
    const page = await list(url, { limit: 10, start: 9999 });
    expect(page.items).toEqual([]);
    expect(page.current_count).toBe(0);
    expect(page.start).toBe('9999');
    expect(page.total_count).toBe(newestFirst.length);
    expect(page._links?._next).toBeUndefined();
    expect(page._links?._prev?.href).toBe(`${EC2_BACKUPS_PATH}?limit=10&start=9998`);
  });

  it('pages hold items [(k-1)p, kp) and the last page is partial', async () => {
    const limit = 7;
    const pages = Math.ceil(newestFirst.length / limit);
    const middle = await list(url, { limit, start: 3 });
    expect(ids(middle.items)).toEqual(ids(newestFirst.slice(14, 21)));
    const last = await list(url, { limit, start: pages });
    expect(last.current_count).toBe(newestFirst.length - (pages - 1) * limit);
    expect(ids(last.items)).toEqual(ids(newestFirst.slice((pages - 1) * limit)));
    expect(last.total_pages_count).toBe(pages);
  });
});

describe('sort', () => {
  it('orders by (start_timestamp, id) ascending for sort=start_timestamp and its exact reverse by default', async () => {
    const expected = [...newestFirst].sort(compareAscending);
    expect(ids(oldestFirst)).toEqual(ids(expected));
    const ascending = await listAll(url, { limit: 100, sort: 'start_timestamp' });
    const descending = await listAll(url, { limit: 100, sort: '-start_timestamp' });
    const implicit = await listAll(url, { limit: 100 });
    expect(ids(ascending.items)).toEqual(ids(expected));
    expect(ids(descending.items)).toEqual(ids(expected).reverse());
    expect(ids(implicit.items)).toEqual(ids(descending.items));
    expect(ascending.pages).toBe(Math.ceil(expected.length / 100));
  });

  it.each([
    ['start_timestamp', true],
    ['-start_timestamp', false],
  ])('breaks ties by id across a page boundary of 10 (sort=%s)', async (sort, ascending) => {
    const all = ascending ? oldestFirst : newestFirst;
    const k = boundaryInsideTie(all, 10);
    const page = k / 10; // the page ending at index k-1
    const before = await list(url, { limit: 10, start: page, sort });
    const after = await list(url, { limit: 10, start: page + 1, sort });
    const lastOfPage = before.items[9];
    const firstOfNext = after.items[0];
    expect(lastOfPage?.start_timestamp).toBe(firstOfNext?.start_timestamp);
    const [x, y] = [lastOfPage?.id ?? '', firstOfNext?.id ?? ''];
    expect(ascending ? x < y : x > y).toBe(true);
    expect(ids([...before.items, ...after.items])).toEqual(ids(all.slice(k - 10, k + 10)));
  });
});

describe('filter', () => {
  /** The instance with the most backups (it spans the whole history). */
  const instanceId = (): string => {
    const counts = new Map<string, number>();
    for (const b of newestFirst) counts.set(b.instance_id ?? '', (counts.get(b.instance_id ?? '') ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  };

  it('filters by instance_id $eq', async () => {
    const id = instanceId();
    const expected = newestFirst.filter((b) => b.instance_id === id);
    const { items } = await listAll(url, { limit: 100, filter: { instance_id: { $eq: id } } });
    expect(items.length).toBeGreaterThan(0);
    expect(ids(items)).toEqual(ids(expected));
    const page = await list(url, { filter: { instance_id: { $eq: id } } });
    expect(page.total_count).toBe(expected.length);
    expect(page.filter_applied).toBe(JSON.stringify({ instance_id: { $eq: id } }));
  });

  it('returns an empty listing for an unknown instance_id', async () => {
    const page = await list(url, { filter: { instance_id: { $eq: 'd0ba78cc-582b-11ea-9bdc-82f798bd42fe' } } });
    expect(page.items).toEqual([]);
    expect(page.total_count).toBe(0);
    expect(page.total_pages_count).toBe(0);
    expect(page._links?._first?.href).toBe(page._links?._last?.href);
    expect(page._links?._next).toBeUndefined();
    expect(page._links?._prev).toBeUndefined();
  });

  /** A start_timestamp shared by several backups, to test bounds on a tie group. */
  const tiedTimestamp = (): string => {
    const k = boundaryInsideTie(newestFirst, 10);
    return newestFirst[k]?.start_timestamp ?? '';
  };

  it('applies start_timestamp $lte inclusively', async () => {
    const t = tiedTimestamp();
    const expected = newestFirst.filter((b) => startMs(b) <= Date.parse(t));
    const page = await list(url, { limit: 100, filter: { start_timestamp: { $lte: t } } });
    expect(page.total_count).toBe(expected.length);
    expect(ids(page.items)).toEqual(ids(expected.slice(0, 100)));
    expect(page.items[0]?.start_timestamp).toBe(t);
  });

  it('applies start_timestamp $gt exclusively', async () => {
    const t = tiedTimestamp();
    const expected = oldestFirst.filter((b) => startMs(b) > Date.parse(t));
    const page = await list(url, { limit: 100, sort: 'start_timestamp', filter: { start_timestamp: { $gt: t } } });
    expect(page.total_count).toBe(expected.length);
    expect(ids(page.items)).toEqual(ids(expected.slice(0, 100)));
    expect(startMs(page.items[0] as WireEc2Backup)).toBeGreaterThan(Date.parse(t));
  });

  it('combines $gt and $lte on one field, with instance_id', async () => {
    const id = instanceId();
    const gt = '2025-05-01T00:00:00Z';
    const lte = '2025-06-01T00:00:00Z';
    const expected = newestFirst.filter(
      (b) => b.instance_id === id && startMs(b) > Date.parse(gt) && startMs(b) <= Date.parse(lte),
    );
    const filter = { instance_id: { $eq: id }, start_timestamp: { $gt: gt, $lte: lte } };
    const { items } = await listAll(url, { limit: 3, filter });
    expect(items.length).toBeGreaterThan(0);
    expect(ids(items)).toEqual(ids(expected));
  });

  it('compares timestamps as instants: offsets and fractional seconds', async () => {
    const t = tiedTimestamp(); // e.g. 2025-06-28T02:00:00Z
    const ms = Date.parse(t);
    const atT = newestFirst.filter((b) => startMs(b) === ms).length;
    expect(atT).toBeGreaterThan(1);
    const plus2 = new Date(ms + 2 * 3600_000).toISOString().replace('.000Z', '+02:00');
    const minus0530 = new Date(ms - 5.5 * 3600_000).toISOString().replace('.000Z', '-05:30');
    const total = async (filter: object): Promise<number | null | undefined> =>
      (await list(url, { limit: 1, filter })).total_count;
    const lteT = await total({ start_timestamp: { $lte: t } });
    expect(await total({ start_timestamp: { $lte: plus2 } })).toBe(lteT);
    expect(await total({ start_timestamp: { $lte: minus0530 } })).toBe(lteT);
    expect(await total({ start_timestamp: { $lte: t.replace('Z', '.000000Z') } })).toBe(lteT);
    // A hair before T excludes the tie group from $lte and includes it in $gt.
    const hairBefore = new Date(ms - 1).toISOString().replace('Z', '999Z'); // …59.999999Z
    expect(await total({ start_timestamp: { $lte: hairBefore } })).toBe((lteT ?? 0) - atT);
    const gtT = await total({ start_timestamp: { $gt: t } });
    expect(await total({ start_timestamp: { $gt: hairBefore } })).toBe((gtT ?? 0) + atT);
    // A hair after T keeps the group in $lte.
    expect(await total({ start_timestamp: { $lte: t.replace('Z', '.0001Z') } })).toBe(lteT);
    expect(await total({ start_timestamp: { $gt: t.replace('Z', '.0001Z') } })).toBe(gtT);
  });

  it('accepts an empty filter object and reports filter_applied compactly', async () => {
    const empty = await list(url, { filter: {} });
    expect(empty.total_count).toBe(newestFirst.length);
    expect(empty.filter_applied).toBe('');
    const id = instanceId();
    const spaced = `{ "instance_id" : { "$eq" : "${id}" } }`;
    const page = await list(url, { filter: spaced });
    expect(page.filter_applied).toBe(`{"instance_id":{"$eq":"${id}"}}`);
  });
});

describe('400 Bad Request', () => {
  const ts = '2025-05-01T00:00:00Z';
  it.each<[string, Record<string, string | number | object>, RegExp]>([
    ['limit 0', { limit: 0 }, /invalid limit "0"/],
    ['limit negative', { limit: -5 }, /invalid limit "-5"/],
    ['limit non-integer', { limit: '1.5' }, /invalid limit "1\.5"/],
    ['limit not a number', { limit: 'ten' }, /invalid limit "ten"/],
    ['limit empty', { limit: '' }, /invalid limit ""/],
    ['start 0', { start: 0 }, /invalid start "0"/],
    ['start not a number', { start: 'abc' }, /invalid start "abc"/],
    ['start negative', { start: -1 }, /invalid start "-1"/],
    ['sort unknown field', { sort: 'name' }, /invalid sort "name"/],
    ['sort on id', { sort: '-id' }, /invalid sort "-id"/],
    ['filter not JSON', { filter: '{"instance_id":' }, /invalid filter: not valid JSON/],
    ['filter an array', { filter: [] }, /invalid filter: must be a JSON object/],
    ['filter null', { filter: 'null' }, /invalid filter: must be a JSON object/],
    ['filter a string', { filter: '"abc"' }, /invalid filter: must be a JSON object/],
    ['filter unknown field', { filter: { account_native_id: { $eq: '284736019523' } } }, /unsupported field "account_native_id"; supported: instance_id, start_timestamp/],
    ['filter $gte', { filter: { start_timestamp: { $gte: ts } } }, /unsupported condition \$gte on start_timestamp; supported: \$lte, \$gt/],
    ['filter $eq on start_timestamp', { filter: { start_timestamp: { $eq: ts } } }, /unsupported condition \$eq on start_timestamp/],
    ['filter $neq on instance_id', { filter: { instance_id: { $neq: 'x' } } }, /unsupported condition \$neq on instance_id; supported: \$eq/],
    ['filter $in on instance_id', { filter: { instance_id: { $in: ['x'] } } }, /unsupported condition \$in on instance_id/],
    ['filter instance_id not a string', { filter: { instance_id: { $eq: 42 } } }, /instance_id \$eq must be a string, got number 42/],
    ['filter timestamp a number', { filter: { start_timestamp: { $gt: 1714521600 } } }, /start_timestamp \$gt must be a string/],
    ['filter timestamp not RFC-3339', { filter: { start_timestamp: { $lte: 'yesterday' } } }, /start_timestamp \$lte must be an RFC-3339 timestamp, got "yesterday"/],
    ['filter timestamp without zone', { filter: { start_timestamp: { $lte: '2025-05-01T00:00:00' } } }, /must be an RFC-3339 timestamp/],
    ['filter impossible date', { filter: { start_timestamp: { $lte: '2025-02-30T00:00:00Z' } } }, /must be an RFC-3339 timestamp/],
    ['filter condition not an object', { filter: { instance_id: 'abc' } }, /instance_id must map to an object of conditions/],
    ['filter empty condition', { filter: { start_timestamp: {} } }, /start_timestamp must map to an object of conditions/],
    ['unknown query parameter', { embed: 'read-task' }, /unsupported query parameter "embed"/],
  ])('%s', async (_name, params, message) => {
    const response = await get(url, listPath(params));
    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/json');
    const error = errorOf(response.text);
    expect(error.code).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('rejects a repeated parameter', async () => {
    const response = await get(url, `${EC2_BACKUPS_PATH}?limit=5&limit=6`);
    expect(response.status).toBe(400);
    expect(errorOf(response.text).message).toMatch(/"limit" given more than once/);
  });

  it('rejects a timestamp whose + was not percent-encoded (it decodes to a space)', async () => {
    const response = await get(url, `${EC2_BACKUPS_PATH}?filter={"start_timestamp":{"$lte":"2025-05-01T02:00:00+02:00"}}`);
    expect(response.status).toBe(400);
    expect(errorOf(response.text).message).toMatch(/"2025-05-01T02:00:00 02:00"/);
  });

  it('rejects query parameters on the single read', async () => {
    const response = await get(url, `${EC2_BACKUPS_PATH}/${newestFirst[0]?.id ?? ''}?limit=1`);
    expect(response.status).toBe(400);
    expect(errorOf(response.text).message).toMatch(/unsupported query parameter "limit"/);
  });
});

describe('authentication (401)', () => {
  const unauthorized = JSON.stringify({ errors: [{ error_code: 402, error_message: 'Unauthorized access' }] });

  it.each<[string, Record<string, string>]>([
    ['no Authorization header', {}],
    ['an unknown token', { authorization: 'Bearer not-the-token' }],
    ['a Basic scheme', { authorization: `Basic ${DEFAULT_EMULATOR_TOKEN}` }],
    ['Bearer without a token', { authorization: 'Bearer' }],
  ])('answers 401 with error_code 402 for %s', async (_name, headers) => {
    for (const path of [EC2_BACKUPS_PATH, `${EC2_BACKUPS_PATH}/${newestFirst[0]?.id ?? ''}`, '/no/such/path']) {
      const response = await get(url, path, headers);
      expect(response.status).toBe(401);
      expect(response.contentType).toBe('application/json');
      expect(response.text).toBe(unauthorized);
    }
  });

  it('accepts the scheme name case-insensitively', async () => {
    const response = await get(url, EC2_BACKUPS_PATH, { authorization: `bearer ${DEFAULT_EMULATOR_TOKEN}` });
    expect(response.status).toBe(200);
  });

  it('accepts exactly the configured tokens', async () => {
    const custom = createClumioEmulator({ tokens: ['token-a', 'token-b'] });
    try {
      const base = await custom.listen();
      expect((await get(base, EC2_BACKUPS_PATH, { authorization: 'Bearer token-a' })).status).toBe(200);
      expect((await get(base, EC2_BACKUPS_PATH, { authorization: 'Bearer token-b' })).status).toBe(200);
      expect((await get(base, EC2_BACKUPS_PATH, AUTH)).status).toBe(401);
    } finally {
      await custom.close();
    }
  });
});

describe('GET /backups/aws/ec2-instances/{backup_id}', () => {
  it('returns the item with the versioned media type', async () => {
    const backup = newestFirst[42] as WireEc2Backup;
    const response = await get(url, `${EC2_BACKUPS_PATH}/${backup.id ?? ''}`);
    expect(response.status).toBe(200);
    expect(response.contentType).toBe(EC2_BACKUPS_MEDIA_TYPE);
    expect(JSON.parse(response.text)).toEqual(backup);
  });

  it('answers 404 with an error body for an unknown id', async () => {
    const response = await get(url, `${EC2_BACKUPS_PATH}/00000000-0000-4000-8000-000000000000`);
    expect(response.status).toBe(404);
    expect(response.contentType).toBe('application/json');
    expect(errorOf(response.text)).toEqual({
      code: 404,
      message: 'EC2 instance backup "00000000-0000-4000-8000-000000000000" not found',
    });
  });
});

describe('other paths and methods', () => {
  it.each(['/', '/backups/aws/ebs-volumes', `${EC2_BACKUPS_PATH}/`, `${EC2_BACKUPS_PATH}/a/b`])(
    'answers 404 for %s',
    async (path) => {
      const response = await get(url, path);
      expect(response.status).toBe(404);
      expect(errorOf(response.text).code).toBe(404);
    },
  );

  it.each<[string, string, string]>([
    ['POST', EC2_BACKUPS_PATH, 'GET'],
    ['DELETE', `${EC2_BACKUPS_PATH}/some-id`, 'GET'],
    ['PUT', EC2_BACKUPS_PATH, 'GET'],
    ['GET', '/restores/aws/ec2-instances', 'POST'],
  ])('answers 405 for %s %s', async (method, path, allow) => {
    const response = await fetch(url + path, { method, headers: AUTH });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(errorOf(await response.text()).code).toBe(405);
  });
});

describe('Accept (406)', () => {
  it.each([
    '*/*',
    'application/json',
    EC2_BACKUPS_MEDIA_TYPE,
    'application/api.clumio.*=v1+json',
    'application/api.clumio.*=v2&backup-aws-ec2-instances=v1+json',
    'text/html, application/api.clumio.backup-aws-ec2-instances=v1+json;q=0.9',
    'APPLICATION/API.CLUMIO.BACKUP-AWS-EC2-INSTANCES=V1+JSON',
  ])('accepts %s', async (accept) => {
    expect((await get(url, `${EC2_BACKUPS_PATH}?limit=1`, { ...AUTH, accept })).status).toBe(200);
  });

  it.each([
    'application/api.clumio.backup-aws-ec2-instances=v2+json',
    'application/api.clumio.*=v2+json',
    'application/api.clumio.tasks=v1+json',
    'text/html',
    'application/json;q=0',
  ])('answers 406 for %s', async (accept) => {
    for (const path of [`${EC2_BACKUPS_PATH}?limit=1`, `${EC2_BACKUPS_PATH}/${newestFirst[0]?.id ?? ''}`]) {
      const response = await get(url, path, { ...AUTH, accept });
      expect(response.status).toBe(406);
      expect(response.contentType).toBe('application/json');
      expect(errorOf(response.text).message).toContain(EC2_BACKUPS_MEDIA_TYPE);
    }
  });
});

describe('organizational units', () => {
  const ouHeaders = (ou: string): Record<string, string> => ({ ...AUTH, 'x-clumio-organizationalunit-context': ou });
  const accountsOf = (ouId: string): readonly string[] =>
    ORGANIZATIONAL_UNITS.find((ou) => ou.id === ouId)?.accountNativeIds ?? [];

  it('sees everything without the header and in the global OU', async () => {
    const implicit = await list(url, { limit: 5 });
    const explicit = await list(url, { limit: 5 }, ouHeaders(GLOBAL_ORGANIZATIONAL_UNIT_ID));
    expect(explicit.total_count).toBe(newestFirst.length);
    expect(ids(explicit.items)).toEqual(ids(implicit.items));
  });

  it.each([PRODUCTION_OU_ID, PAYMENTS_OU_ID, RESEARCH_OU_ID])('scopes lists, totals and order to OU %s', async (ouId) => {
    const accounts = accountsOf(ouId);
    const expected = newestFirst.filter((b) => accounts.includes(b.account_native_id ?? ''));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(newestFirst.length);
    const { items } = await listAll(url, { limit: 100 }, ouHeaders(ouId));
    expect(ids(items)).toEqual(ids(expected));
    const page = await list(url, { limit: 10, sort: 'start_timestamp' }, ouHeaders(ouId));
    expect(page.total_count).toBe(expected.length);
    expect(page.total_pages_count).toBe(Math.ceil(expected.length / 10));
    expect(ids(page.items)).toEqual(ids([...expected].reverse().slice(0, 10)));
  });

  it('hides a single backup outside the OU (404) and an instance outside it (empty)', async () => {
    const accounts = accountsOf(RESEARCH_OU_ID);
    const outside = newestFirst.find((b) => !accounts.includes(b.account_native_id ?? '')) as WireEc2Backup;
    const inside = newestFirst.find((b) => accounts.includes(b.account_native_id ?? '')) as WireEc2Backup;
    expect((await get(url, `${EC2_BACKUPS_PATH}/${outside.id ?? ''}`, ouHeaders(RESEARCH_OU_ID))).status).toBe(404);
    expect((await get(url, `${EC2_BACKUPS_PATH}/${inside.id ?? ''}`, ouHeaders(RESEARCH_OU_ID))).status).toBe(200);
    expect((await get(url, `${EC2_BACKUPS_PATH}/${outside.id ?? ''}`)).status).toBe(200);
    const page = await list(url, { filter: { instance_id: { $eq: outside.instance_id } } }, ouHeaders(RESEARCH_OU_ID));
    expect(page.total_count).toBe(0);
  });

  it('treats the header name case-insensitively', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const target = new URL(`${url}${EC2_BACKUPS_PATH}/${newestFirst[0]?.id ?? ''}`);
      const req = http.request(
        target,
        { headers: { Authorization: AUTH.authorization, 'X-Clumio-OrganizationalUnit-Context': 'no-such-ou' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('answers 403 for an unknown OU on both endpoints', async () => {
    for (const path of [EC2_BACKUPS_PATH, `${EC2_BACKUPS_PATH}/${newestFirst[0]?.id ?? ''}`]) {
      const response = await get(url, path, ouHeaders('11111111-2222-4333-8444-555555555555'));
      expect(response.status).toBe(403);
      expect(response.contentType).toBe('application/json');
      expect(errorOf(response.text)).toEqual({
        code: 403,
        message: 'Organizational unit "11111111-2222-4333-8444-555555555555" is not accessible',
      });
    }
  });
});

describe('_links and totals', () => {
  const linkNames = (page: { _links?: object | null }): string[] => Object.keys(page._links ?? {}).sort();

  it('has _first, _last, _next and _self on the first page', async () => {
    const page = await list(url);
    expect(linkNames(page)).toEqual(['_first', '_last', '_next', '_self']);
    const pages = Math.ceil(newestFirst.length / 10);
    expect(page._links).toEqual({
      _first: { href: `${EC2_BACKUPS_PATH}?limit=10&start=1`, templated: false, type: 'get' },
      _last: { href: `${EC2_BACKUPS_PATH}?limit=10&start=${pages}`, templated: false, type: 'get' },
      _next: { href: `${EC2_BACKUPS_PATH}?limit=10&start=2`, templated: false, type: 'get' },
      _self: { href: `${EC2_BACKUPS_PATH}?limit=10&start=1`, templated: false, type: 'get' },
    });
  });

  it('has all five links on a middle page, repeating limit, sort and filter', async () => {
    const filter = { start_timestamp: { $gt: '2025-04-15T00:00:00Z' } };
    const page = await list(url, { limit: 25, start: 3, sort: '-start_timestamp', filter });
    expect(linkNames(page)).toEqual(['_first', '_last', '_next', '_prev', '_self']);
    const tail = `&sort=-start_timestamp&filter=${encodeURIComponent(JSON.stringify(filter))}`;
    expect(page._links?._self?.href).toBe(`${EC2_BACKUPS_PATH}?limit=25&start=3${tail}`);
    expect(page._links?._prev?.href).toBe(`${EC2_BACKUPS_PATH}?limit=25&start=2${tail}`);
    expect(page._links?._next?.href).toBe(`${EC2_BACKUPS_PATH}?limit=25&start=4${tail}`);
    expect(page._links?._last?.href).toBe(`${EC2_BACKUPS_PATH}?limit=25&start=${page.total_pages_count ?? 0}${tail}`);
    expect(page._links?._next?.href).toContain('filter=%7B%22start_timestamp%22');
    const next = await get(url, page._links?._next?.href ?? '');
    const expected = await list(url, { limit: 25, start: 4, sort: '-start_timestamp', filter });
    expect(next.status).toBe(200);
    expect(ids((JSON.parse(next.text) as { _embedded: { items: WireEc2Backup[] } })._embedded.items)).toEqual(
      ids(expected.items),
    );
  });

  it('has no _next on the last page', async () => {
    const pages = Math.ceil(newestFirst.length / 10);
    const page = await list(url, { start: pages });
    expect(linkNames(page)).toEqual(['_first', '_last', '_prev', '_self']);
    expect(page._links?._self?.href).toBe(page._links?._last?.href);
  });

  it('has neither _next nor _prev when one page holds everything', async () => {
    const id = newestFirst[0]?.instance_id ?? '';
    const page = await list(url, { limit: 100, filter: { instance_id: { $eq: id } } });
    expect(page.total_pages_count).toBe(1);
    expect(linkNames(page)).toEqual(['_first', '_last', '_self']);
  });

  it.each([1, 3, 10, 33, 100])('counts total_pages_count = ceil(total / %i)', async (limit) => {
    const page = await list(url, { limit });
    expect(page.total_count).toBe(newestFirst.length);
    expect(page.total_pages_count).toBe(Math.ceil(newestFirst.length / limit));
  });
});

describe('64-bit integers', () => {
  it('writes the huge utilized_size_in_bytes as bare digits, verbatim', async () => {
    const single = await get(url, `${EC2_BACKUPS_PATH}/${BACKUP_ID_WITH_HUGE_UTILIZED_SIZE}`);
    expect(single.status).toBe(200);
    expect(single.text).toContain(`"utilized_size_in_bytes":${HUGE_UTILIZED_SIZE_IN_BYTES},`);
    expect(single.text).not.toContain(`"${HUGE_UTILIZED_SIZE_IN_BYTES}"`);
    // JSON.parse would round it: the digits only survive in the raw text.
    expect(String((JSON.parse(single.text) as WireEc2Backup).utilized_size_in_bytes)).not.toBe(HUGE_UTILIZED_SIZE_IN_BYTES);

    const huge = newestFirst.find((b) => b.id === BACKUP_ID_WITH_HUGE_UTILIZED_SIZE) as WireEc2Backup;
    const filter = { instance_id: { $eq: huge.instance_id }, start_timestamp: { $lte: huge.start_timestamp } };
    const listing = await get(url, listPath({ limit: 1, filter }));
    expect(listing.text).toContain(`"id":"${BACKUP_ID_WITH_HUGE_UTILIZED_SIZE}"`);
    expect(listing.text).toContain(`"utilized_size_in_bytes":${HUGE_UTILIZED_SIZE_IN_BYTES},`);
  });

  it('writes EBS volume sizes above 2^31 as exact integers', async () => {
    const single = await get(url, `${EC2_BACKUPS_PATH}/${BACKUP_ID_WITH_HUGE_UTILIZED_SIZE}`);
    expect(single.text).toContain('"size":17592186044416,'); // 16 TiB in bytes
  });
});

describe('request log', () => {
  it('records method, raw path, decoded query, lower-cased headers and the status, in order', async () => {
    emulator.clearRequests();
    expect(emulator.requests).toEqual([]);
    const filter = '{"instance_id":{"$eq":"abc"}}';
    await get(url, listPath({ limit: 5, start: 2, filter }), {
      ...AUTH,
      accept: EC2_BACKUPS_MEDIA_TYPE,
      'x-clumio-organizationalunit-context': PRODUCTION_OU_ID,
    });
    await get(url, `${EC2_BACKUPS_PATH}/id%20with%20space`);
    await get(url, EC2_BACKUPS_PATH, {});
    await get(url, listPath({ limit: 0 }));

    const log = emulator.requests;
    expect(log.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', EC2_BACKUPS_PATH, 200],
      ['GET', `${EC2_BACKUPS_PATH}/id%20with%20space`, 404],
      ['GET', EC2_BACKUPS_PATH, 401],
      ['GET', EC2_BACKUPS_PATH, 400],
    ]);
    expect(log[0]?.query).toEqual({ limit: '5', start: '2', filter });
    expect(log[0]?.headers).toMatchObject({
      authorization: AUTH.authorization,
      accept: EC2_BACKUPS_MEDIA_TYPE,
      'x-clumio-organizationalunit-context': PRODUCTION_OU_ID,
    });
    expect(log[1]?.query).toEqual({});
    expect(log[2]?.headers.authorization).toBeUndefined();
  });

  it('keeps earlier snapshots intact when cleared, and can be turned off', async () => {
    await get(url, EC2_BACKUPS_PATH);
    const before = emulator.requests;
    expect(before.length).toBeGreaterThan(0);
    emulator.clearRequests();
    expect(emulator.requests).toHaveLength(0);
    expect(before.length).toBeGreaterThan(0);

    const quiet = createClumioEmulator({ recordRequests: false });
    try {
      const base = await quiet.listen();
      expect((await get(base, EC2_BACKUPS_PATH)).status).toBe(200);
      expect(quiet.requests).toHaveLength(0);
    } finally {
      await quiet.close();
    }
  });
});

describe('fault injection', () => {
  afterEach(() => emulator.clearFaults());

  it('answers the next request with an injected status and Retry-After, then recovers', async () => {
    emulator.injectFault({ status: 429, retryAfter: '2' });
    const throttled = await get(url, EC2_BACKUPS_PATH);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(errorOf(throttled.text).code).toBe(429);
    expect((await get(url, EC2_BACKUPS_PATH)).status).toBe(200);
  });

  it('applies a fault to matching requests only, `times` times, with a raw body', async () => {
    emulator.injectFault({
      match: (r) => r.path.startsWith(`${EC2_BACKUPS_PATH}/`),
      times: 2,
      status: 503,
      body: 'not json',
      contentType: 'text/plain',
    });
    const single = `${EC2_BACKUPS_PATH}/${newestFirst[0]?.id ?? ''}`;
    expect((await get(url, EC2_BACKUPS_PATH)).status).toBe(200);
    const first = await get(url, single);
    expect([first.status, first.text, first.contentType]).toEqual([503, 'not json', 'text/plain']);
    expect((await get(url, single)).status).toBe(503);
    expect((await get(url, single)).status).toBe(200);
  });

  it('resets the connection, recording status 0', async () => {
    emulator.clearRequests();
    emulator.injectFault({ destroySocket: true });
    await expect(fetch(url + EC2_BACKUPS_PATH, { headers: AUTH })).rejects.toThrow();
    expect(emulator.requests[0]?.status).toBe(0);
    expect((await get(url, EC2_BACKUPS_PATH)).status).toBe(200);
  });

  it('delays an answer', async () => {
    emulator.injectFault({ delayMs: 50 });
    const started = Date.now();
    expect((await get(url, EC2_BACKUPS_PATH)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe('open requests', () => {
  afterEach(() => emulator.clearFaults());

  it('holds answers until `until` settles and counts requests open meanwhile', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let bothOpen!: () => void;
    const opened: number[] = [];
    const bothArrived = new Promise<void>((resolve) => (bothOpen = resolve));
    const stop = emulator.onRequestOpened((open) => {
      opened.push(open);
      if (open === 2) bothOpen();
    });
    try {
      emulator.injectFault({ until: released, times: 2 });
      let answered = 0;
      const calls = [get(url, EC2_BACKUPS_PATH), get(url, EC2_BACKUPS_PATH)].map((call) => call.then((r) => ((answered += 1), r)));
      await bothArrived;
      expect(emulator.openRequests).toBe(2);
      expect(answered).toBe(0);
      release();
      expect((await Promise.all(calls)).map((r) => r.status)).toEqual([200, 200]);
      expect(opened).toEqual([1, 2]);
      // The third request is answered at once: the fault was used up.
      expect((await get(url, EC2_BACKUPS_PATH)).status).toBe(200);
      expect(opened).toEqual([1, 2, 1]);
    } finally {
      stop();
    }
  });

  it('counts a dropped connection as closed', async () => {
    emulator.injectFault({ destroySocket: true });
    await expect(fetch(url + EC2_BACKUPS_PATH, { headers: AUTH })).rejects.toThrow();
    const opened: number[] = [];
    const stop = emulator.onRequestOpened((open) => opened.push(open));
    try {
      expect((await get(url, EC2_BACKUPS_PATH)).status).toBe(200);
      expect(opened).toEqual([1]);
    } finally {
      stop();
    }
  });
});

describe('latency (opt-in)', () => {
  it('holds every answer for latencyMs, counts requests with the log off, and close() cancels the wait', async () => {
    const slow = createClumioEmulator({ latencyMs: 60_000, recordRequests: false });
    try {
      const base = await slow.listen();
      let arrived!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      // A fault that never applies, only to see the request arrive.
      slow.injectFault({ match: () => (arrived(), false) });
      let settled = false;
      const held = fetch(base + EC2_BACKUPS_PATH, { headers: AUTH }).finally(() => (settled = true));
      await arrival;
      slow.clearFaults();

      // A fault's own delay replaces the latency: this one is answered at once, the first still waits.
      slow.injectFault({ delayMs: 0 });
      expect((await get(base, EC2_BACKUPS_PATH)).status).toBe(200);
      expect(settled).toBe(false);
      expect(slow.requestCount).toBe(2);
      expect(slow.requests).toHaveLength(0);

      await slow.close();
      await expect(held).rejects.toThrow();
    } finally {
      await slow.close();
    }
  });

  it('answers normally after the latency', async () => {
    const slow = createClumioEmulator({ latencyMs: 1 });
    try {
      const base = await slow.listen();
      const page = await list(base, { limit: 3 });
      expect(ids(page.items)).toEqual(ids(newestFirst.slice(0, 3)));
    } finally {
      await slow.close();
    }
  });
});

describe('rate limit (opt-in)', () => {
  it('throttles past N requests per second per token and refills over time', async () => {
    let now = 1_000_000;
    const limited = createClumioEmulator({ tokens: ['a', 'b'], rateLimitPerSecond: 3, now: () => now });
    try {
      const base = await limited.listen();
      const as = { authorization: 'Bearer a' };
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(base, EC2_BACKUPS_PATH, as)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await get(base, EC2_BACKUPS_PATH, { authorization: 'Bearer b' })).status).toBe(200);
      now += 400; // refills 1.2 tokens
      expect((await get(base, EC2_BACKUPS_PATH, as)).status).toBe(200);
      expect((await get(base, EC2_BACKUPS_PATH, as)).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('close', () => {
  it('closes idle keep-alive sockets and in-flight requests promptly', async () => {
    const target = createClumioEmulator();
    const base = await target.listen();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get(`${base}${EC2_BACKUPS_PATH}`, { agent, headers: AUTH }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
      expect(status).toBe(200);

      let arrived!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      target.injectFault({ delayMs: 60_000, match: () => (arrived(), true) });
      const hanging = fetch(base + EC2_BACKUPS_PATH, { headers: AUTH });
      await arrival;

      const started = Date.now();
      await target.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(hanging).rejects.toThrow();
    } finally {
      agent.destroy();
      await target.close();
    }
  });
});
