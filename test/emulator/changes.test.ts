/**
 * Changing the emulator's data set while it runs: insertBackup / removeBackup, and the admin
 * endpoint over real HTTP. Every list, filter, organizational unit and read-one must see a change
 * at once, in the right place.
 */
import type { WireEc2Backup } from '../../src/clumio/wire-types';
import { EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import type { ClumioEmulator } from '../../src/emulator';
import { ADMIN_PATH, createClumioEmulator, DEFAULT_EMULATOR_TOKEN, ORGANIZATIONAL_UNITS } from '../../src/emulator';
import { AUTH, compareAscending, errorOf, get, list, listAll } from './emulator-http';

let emulator: ClumioEmulator;
let url: string;

beforeEach(async () => {
  emulator = createClumioEmulator();
  url = await emulator.listen();
});
afterEach(() => emulator.close());

const ids = (items: readonly WireEc2Backup[]): string[] => items.map((b) => b.id ?? '');
const everything = async (params: Record<string, string | object> = {}): Promise<string[]> =>
  ids((await listAll(url, { limit: 100, ...params })).items);

async function admin(method: string, path: string, body?: string, headers: Record<string, string> = AUTH) {
  const response = await fetch(url + path, { method, headers: { ...headers, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

describe('insertBackup', () => {
  it('adds a backup where its start time puts it, in both orders, in its instance\'s list and its OU', async () => {
    const [newest, second] = emulator.backups as WireEc2Backup[];
    // An instance whose account one OU sees and another does not.
    const scoped = (b: WireEc2Backup) => ORGANIZATIONAL_UNITS.some((o) => o.accountNativeIds?.includes(b.account_native_id!));
    const instance = emulator.backups.slice(20).find(scoped)!;
    const tied = emulator.insertBackup({ id: '00000000-aaaa-4000-8000-000000000000', start_timestamp: second!.start_timestamp!, instance_id: instance.instance_id! });
    const newer = emulator.insertBackup({ start_timestamp: '2025-06-29T23:59:59Z' });

    const expected = [...emulator.backups].sort(compareAscending).reverse();
    expect(ids(emulator.backups)).toEqual(ids(expected));
    expect(emulator.backups[0]).toBe(newer);
    expect(emulator.backups).toHaveLength(2523);
    expect(await everything()).toEqual(ids(expected));
    expect(await everything({ sort: 'start_timestamp' })).toEqual(ids(expected).reverse());
    expect(ids(emulator.backups).indexOf(newest!.id!)).toBe(1);

    const ofInstance = await everything({ filter: { instance_id: { $eq: instance.instance_id } } });
    expect(ofInstance).toContain(tied.id);
    expect(ofInstance).toEqual(ids(expected.filter((b) => b.instance_id === instance.instance_id)));
    const inWindow = await everything({ filter: { start_timestamp: { $lte: second!.start_timestamp, $gt: '2025-06-29T00:00:00Z' } } });
    expect(inWindow).toContain(tied.id);
    expect(inWindow).not.toContain(newer.id);

    const ou = ORGANIZATIONAL_UNITS.find((o) => o.accountNativeIds?.includes(instance.account_native_id!))!;
    const other = ORGANIZATIONAL_UNITS.find((o) => o.accountNativeIds !== null && !o.accountNativeIds.includes(instance.account_native_id!))!;
    expect(await everything({ filter: { start_timestamp: { $gt: '2025-06-29T00:00:00Z' } } })).toContain(tied.id);
    const seen = (ouId: string) => listAll(url, { limit: 100, filter: { start_timestamp: { $gt: '2025-06-29T00:00:00Z' } } }, { ...AUTH, 'x-clumio-organizationalunit-context': ouId });
    expect(ids((await seen(ou.id)).items)).toContain(tied.id);
    expect(ids((await seen(other.id)).items)).not.toContain(tied.id);

    const read = await get(url, `${EC2_BACKUPS_PATH}/${tied.id}`);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.text)).toMatchObject({ id: tied.id, start_timestamp: second!.start_timestamp, instance_id: instance.instance_id });
  });

  it('copies the other fields from the instance\'s newest backup, keeps its retention, and links to the new id', () => {
    const template = emulator.backups.find((b) => b.instance_id === emulator.backups[7]!.instance_id)!;
    const added = emulator.insertBackup({ start_timestamp: '2025-06-29T12:00:00Z', instance_id: template.instance_id!, type: 'aws_snapshot' });
    expect(added.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(added).toMatchObject({
      instance_native_id: template.instance_native_id,
      account_native_id: template.account_native_id,
      aws_region: template.aws_region,
      type: 'aws_snapshot',
      _links: { _self: { href: `${EC2_BACKUPS_PATH}/${added.id}`, templated: false, type: 'get' } },
    });
    const retention = Date.parse(template.expiration_timestamp!) - Date.parse(template.start_timestamp!);
    expect(Date.parse(added.expiration_timestamp!) - Date.parse(added.start_timestamp!)).toBe(retention);
  });

  it('refuses what Clumio could not have: no start time, unknown fields, a taken id', () => {
    const taken = emulator.backups[3]!.id!;
    expect(() => emulator.insertBackup({ start_timestamp: 'yesterday' })).toThrow(/start_timestamp is required/);
    expect(() => emulator.insertBackup({ start_timestamp: '2025-06-29T12:00:00Z', colour: 'red' } as never)).toThrow(/unsupported field "colour"/);
    expect(() => emulator.insertBackup({ start_timestamp: '2025-06-29T12:00:00Z', id: taken })).toThrow(/exists/);
    expect(() => emulator.insertBackup({ start_timestamp: '2025-06-29T12:00:00Z', id: 'a/b' })).toThrow(/id must be/);
    expect(emulator.backups).toHaveLength(2521);
  });
});

describe('removeBackup', () => {
  it('removes a backup from every list, count and read, and says whether there was one', async () => {
    const victim = emulator.backups[5]!;
    const before = await list(url, { limit: 10 });
    expect(emulator.removeBackup(victim.id!)).toBe(true);
    expect(emulator.removeBackup(victim.id!)).toBe(false);
    const after = await list(url, { limit: 10 });
    expect(after.total_count).toBe(before.total_count! - 1);
    expect(ids(after.items)).toEqual(ids(before.items).filter((id) => id !== victim.id).concat(ids(emulator.backups.slice(9, 10))));
    expect(await everything({ filter: { instance_id: { $eq: victim.instance_id } } })).not.toContain(victim.id);
    expect((await get(url, `${EC2_BACKUPS_PATH}/${victim.id}`)).status).toBe(404);
    expect(ids(emulator.backups)).not.toContain(victim.id);
  });
});

describe(`the admin endpoint (${ADMIN_PATH})`, () => {
  it('adds a backup with POST and removes it with DELETE', async () => {
    const created = await admin('POST', ADMIN_PATH, JSON.stringify({ id: 'admin-added-1', start_timestamp: '2025-06-29T23:00:00Z' }));
    expect(created.status).toBe(201);
    expect(created.location).toBe(`${EC2_BACKUPS_PATH}/admin-added-1`);
    expect(JSON.parse(created.text)).toMatchObject({ id: 'admin-added-1', start_timestamp: '2025-06-29T23:00:00Z' });
    expect(ids((await list(url, { limit: 1 })).items)).toEqual(['admin-added-1']);

    expect((await admin('POST', ADMIN_PATH, JSON.stringify({ id: 'admin-added-1', start_timestamp: '2025-06-29T23:00:00Z' }))).status).toBe(409);
    expect((await admin('DELETE', `${ADMIN_PATH}/admin-added-1`)).status).toBe(204);
    expect((await admin('DELETE', `${ADMIN_PATH}/admin-added-1`)).status).toBe(404);
    expect((await get(url, `${EC2_BACKUPS_PATH}/admin-added-1`)).status).toBe(404);
  });

  it('answers bad requests like Clumio would, and records them', async () => {
    const bad = await admin('POST', ADMIN_PATH, '{not json');
    expect(bad.status).toBe(400);
    expect(errorOf(bad.text).message).toMatch(/not valid JSON/);
    expect(errorOf((await admin('POST', ADMIN_PATH, '{}')).text).message).toMatch(/start_timestamp is required/);
    expect((await admin('POST', ADMIN_PATH, JSON.stringify({ start_timestamp: '2025-06-29T23:00:00Z' }), {})).status).toBe(401);
    expect((await admin('GET', ADMIN_PATH)).status).toBe(405);
    expect((await admin('PUT', `${ADMIN_PATH}/x`)).status).toBe(405);
    expect((await admin('POST', ADMIN_PATH, JSON.stringify({ start_timestamp: '2025-06-29T23:00:00Z', tags: 'x'.repeat(70_000) }))).status).toBe(413);
    expect(emulator.backups).toHaveLength(2521);
    expect(emulator.requests.filter((r) => r.path.startsWith(ADMIN_PATH)).map((r) => r.status)).toEqual([400, 400, 401, 405, 405, 413]);
  });

  it('is not subject to injected faults, which stay queued for the API', async () => {
    emulator.injectFault({ status: 503 });
    expect((await admin('POST', ADMIN_PATH, JSON.stringify({ start_timestamp: '2025-06-29T23:00:00Z' }))).status).toBe(201);
    expect((await get(url, EC2_BACKUPS_PATH)).status).toBe(503);
  });

  it('is not served when turned off', async () => {
    const readOnly = createClumioEmulator({ admin: false });
    const base = await readOnly.listen();
    try {
      const response = await fetch(base + ADMIN_PATH, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEFAULT_EMULATOR_TOKEN}` },
        body: JSON.stringify({ start_timestamp: '2025-06-29T23:00:00Z' }),
      });
      expect(response.status).toBe(404);
      await response.arrayBuffer();
      expect(readOnly.backups).toHaveLength(2521);
    } finally {
      await readOnly.close();
    }
  });
});
