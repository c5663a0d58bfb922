/**
 * Restores and tasks in the emulator, over real HTTP: POST /restores/aws/ec2-instances (the 202,
 * every documented refusal), GET and PATCH /tasks/{task_id} (progress on a stepped clock, failures,
 * aborts), who sees a task, every fault mode on both endpoints (a restore whose answer was lost
 * still has its task), and the request log holding the POST body.
 */
import type { WireEc2Backup } from '../../src/clumio/wire-types';
import { EC2_BACKUPS_MEDIA_TYPE } from '../../src/clumio/wire-types';
import type { ClumioEmulator, FaultModeName, TaskBody } from '../../src/emulator';
import {
  createClumioEmulator,
  DEFAULT_EMULATOR_TOKEN,
  DEFAULT_TASK_TIMINGS,
  FAULT_MODES,
  GLOBAL_ORGANIZATIONAL_UNIT_ID,
  MAX_API_BODY_BYTES,
  PRODUCTION_OU_ID,
  RESEARCH_OU_ID,
  RESTORES_MEDIA_TYPE,
  RESTORES_PATH,
  restoreFailsByDefault,
  TASK_STATUSES,
  TASKS_MEDIA_TYPE,
  TASKS_PATH,
} from '../../src/emulator';
import { parseEmulatorArgs, USAGE } from '../../src/emulator/main';
import { formatRfc3339 } from '../../src/emulator/seed-data';
import type { RawResponse } from './emulator-http';
import { AUTH, errorOf, get } from './emulator-http';

const T0 = Date.parse('2025-07-01T09:00:00Z');
const SECOND_ORG_TOKEN = 'second-organization-token';
const ENVIRONMENT_ID = '9c2934fc-ff4d-11e9-8e11-76706df7fe01';
const JSON_HEADERS = { ...AUTH, 'content-type': 'application/json', accept: RESTORES_MEDIA_TYPE } as const;
const TASK_HEADERS = { ...AUTH, accept: TASKS_MEDIA_TYPE } as const;

let emulator: ClumioEmulator;
let url: string;
let now = T0;
/** A seeded backup whose restore completes, and one whose restore fails (id ending in "f"). */
let good: WireEc2Backup;
let failing: WireEc2Backup;

beforeAll(async () => {
  emulator = createClumioEmulator({ tokens: [DEFAULT_EMULATOR_TOKEN, SECOND_ORG_TOKEN], now: () => now });
  url = await emulator.listen();
  good = emulator.backups.find((b) => !restoreFailsByDefault(b.id!) && (b.network_interfaces?.length ?? 0) > 0)!;
  failing = emulator.backups.find((b) => restoreFailsByDefault(b.id!))!;
});

afterAll(() => emulator.close());

afterEach(() => {
  emulator.setFaultMode(null);
  emulator.clearFaults();
  emulator.clearRequests();
});

/** Moves the emulator's clock forward. */
const advance = (ms: number): void => {
  now += ms;
};

async function send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<RawResponse> {
  const response = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), headers: response.headers, text };
}

/** POSTs a restore; `body` is sent as JSON unless it is already a string. */
const postRestore = (body: unknown, query = '', headers: Record<string, string> = JSON_HEADERS): Promise<RawResponse> =>
  send('POST', RESTORES_PATH + query, typeof body === 'string' ? body : JSON.stringify(body), headers);

const readTask = (id: string, headers: Record<string, string> = TASK_HEADERS): Promise<RawResponse> =>
  get(url, `${TASKS_PATH}/${id}`, headers);

const patchTask = (id: string, body: unknown, headers: Record<string, string> = { ...TASK_HEADERS, 'content-type': 'application/json' }) =>
  send('PATCH', `${TASKS_PATH}/${id}`, typeof body === 'string' ? body : JSON.stringify(body), headers);

/** The task now, asserting a 200 first. */
async function task(id: string, headers: Record<string, string> = TASK_HEADERS): Promise<TaskBody> {
  const response = await readTask(id, headers);
  if (response.status !== 200) throw new Error(`GET ${TASKS_PATH}/${id}: ${response.status} ${response.text}`);
  return JSON.parse(response.text) as TaskBody;
}

/** Sends a restore and asserts the 202; returns the task id. */
async function restore(body: unknown, query = '', headers: Record<string, string> = JSON_HEADERS): Promise<string> {
  const response = await postRestore(body, query, headers);
  if (response.status !== 202) throw new Error(`POST ${RESTORES_PATH}: ${response.status} ${response.text}`);
  return (JSON.parse(response.text) as { task_id: string }).task_id;
}

/** The error messages of a Clumio error body. */
const messages = (text: string): string[] =>
  (JSON.parse(text) as { errors: Array<{ error_message: string }> }).errors.map((e) => e.error_message);

function mappings(b: WireEc2Backup, withNames = true) {
  return (b.attached_backup_ebs_volumes ?? []).map((v) => ({
    kms_key_native_id: null,
    ...(withNames ? { name: v.name } : {}),
    tags: null,
    volume_initialization_rate: null,
    volume_native_id: v.volume_native_id,
  }));
}

/** An instance restore as the GO SDK sends one: every field present, the unused targets null. */
function instanceRestore(b: WireEc2Backup): Record<string, any> {
  return {
    source: { backup_id: b.id },
    target: {
      ami_restore_target: null,
      instance_restore_target: {
        ami_native_id: null,
        aws_az: b.aws_az,
        ebs_block_device_mappings: mappings(b),
        environment_id: ENVIRONMENT_ID,
        iam_instance_profile_name: b.iam_instance_profile?.name ?? null,
        key_pair_name: b.key_pair_name ?? null,
        network_interfaces: (b.network_interfaces ?? []).map((n) => ({
          device_index: n.device_index,
          network_interface_native_id: null,
          restore_default: false,
          restore_from_backup: true,
          security_group_native_ids: null,
          subnet_native_id: null,
        })),
        should_power_on: true,
        subnet_native_id: b.subnet_native_id,
        tags: [{ key: 'restored-by', value: 'emulator-test' }],
        vpc_native_id: b.vpc_native_id,
      },
      volumes_restore_target: null,
    },
  };
}

const amiRestore = (b: WireEc2Backup, ami: Record<string, unknown> = {}) => ({
  source: { backup_id: b.id },
  target: { ami_restore_target: { name: 'restored-ami', environment_id: ENVIRONMENT_ID, ebs_block_device_mappings: mappings(b), ...ami } },
});

const volumesRestore = (b: WireEc2Backup, volumes: Record<string, unknown>) => ({
  source: { backup_id: b.id },
  target: { volumes_restore_target: { environment_id: ENVIRONMENT_ID, ebs_block_device_mappings: mappings(b), ...volumes } },
});

/** Resolves once `condition` holds, checking on every turn of the event loop (fails the test after 10 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('POST /restores/aws/ec2-instances: the 202', () => {
  it('answers RestoreEC2Response: task_id, both links, and an empty _embedded without embed', async () => {
    const response = await postRestore(instanceRestore(good));
    expect([response.status, response.contentType]).toEqual([202, RESTORES_MEDIA_TYPE]);
    const body = JSON.parse(response.text) as Record<string, any>;
    expect(Object.keys(body)).toEqual(['_embedded', '_links', 'task_id']);
    expect(body.task_id).toMatch(/^[1-9]\d*$/);
    expect(body).toEqual({
      _embedded: {},
      _links: {
        _self: { href: RESTORES_PATH, templated: false, type: 'post' },
        'read-task': { href: `${TASKS_PATH}/${body.task_id}`, templated: false, type: 'get' },
      },
      task_id: body.task_id,
    });
  });

  it('embeds the task as GET /tasks/{task_id} shows it with embed=read-task: the 14 documented fields, queued', async () => {
    const response = await postRestore(instanceRestore(good), '?embed=read-task');
    expect(response.status).toBe(202);
    const body = JSON.parse(response.text) as { task_id: string; _embedded: { 'read-task': TaskBody } };
    const embedded = body._embedded['read-task'];
    expect(Object.keys(body._embedded)).toEqual(['read-task']);
    expect(embedded).toEqual(await task(body.task_id));
    expect(Object.keys(embedded)).toEqual([
      '_etag', '_links', 'category', 'created_timestamp', 'end_timestamp', 'genre', 'id', 'is_abortable',
      'parent_entity', 'primary_entity', 'progress_percentage', 'start_timestamp', 'status', 'type',
    ]);
    const name = good.tags?.find((t) => t.key === 'Name')?.value;
    expect(embedded).toEqual({
      _etag: expect.stringMatching(/^[0-9a-f]{32}$/),
      _links: {
        _self: { href: `${TASKS_PATH}/${body.task_id}`, templated: false, type: 'get' },
        'read-organizational-unit': { href: `/organizational-units/${GLOBAL_ORGANIZATIONAL_UNIT_ID}`, templated: false, type: 'get' },
        'update-task': { href: `${TASKS_PATH}/${body.task_id}`, templated: false, type: 'patch' },
      },
      category: 'restore',
      created_timestamp: formatRfc3339(now),
      end_timestamp: null,
      genre: 'operational',
      id: body.task_id,
      is_abortable: true,
      parent_entity: { id: ENVIRONMENT_ID, type: 'aws_environment', value: `${good.account_native_id}/${good.aws_region}` },
      primary_entity: { id: good.instance_id, type: 'aws_ec2_instance', value: name },
      progress_percentage: 0,
      start_timestamp: null,
      status: 'queued',
      type: 'aws_ec2_instance_restore',
    });
  });

  it('takes an empty embed (the GO SDK once sent one) as no embed', async () => {
    const response = await postRestore(instanceRestore(good), '?embed=');
    expect([response.status, JSON.parse(response.text)._embedded]).toEqual([202, {}]);
  });

  it('takes each target kind, explicit nulls for unset fields, the wildcard Accept, and no Accept', async () => {
    await restore(amiRestore(good, { description: null, tags: [{ key: 'k', value: null }] }));
    await restore(volumesRestore(good, { aws_az: good.aws_az, target_instance_native_id: null }));
    // A volumes target without an instance needs no mapping names (GO field docs).
    await restore(volumesRestore(good, { aws_az: good.aws_az, ebs_block_device_mappings: mappings(good, false) }));
    await restore(volumesRestore(good, { target_instance_native_id: 'i-0123456789abcdef0' }));
    // Empty strings and lists are taken as given.
    await restore(amiRestore(good, { name: '', ebs_block_device_mappings: [] }));
    await restore(instanceRestore(good), '', { ...JSON_HEADERS, accept: 'application/api.clumio.*=v1+json' });
    const { accept: _accept, ...noAccept } = JSON_HEADERS;
    await restore(instanceRestore(good), '', noAccept);
    await restore(instanceRestore(good), '', { ...JSON_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  });

  it('creates a task per POST: the same body twice is two restores (Clumio documents no de-duplication)', async () => {
    const before = emulator.tasks.length;
    const first = await restore(instanceRestore(good));
    const second = await restore(instanceRestore(good));
    expect(Number(second)).toBe(Number(first) + 1);
    expect(emulator.tasks.length).toBe(before + 2);
    expect(emulator.tasks.at(-1)).toMatchObject({ token: DEFAULT_EMULATOR_TOKEN, organizationalUnitId: GLOBAL_ORGANIZATIONAL_UNIT_ID, backupId: good.id, task: { id: second } });
  });
});

describe('POST /restores/aws/ec2-instances: refusals', () => {
  const withInstance = (change: (target: Record<string, any>) => void) => {
    const body = instanceRestore(good);
    change(body.target.instance_restore_target);
    return body;
  };

  it.each<[string, () => unknown, string[]]>([
    ['a body that is not an object', () => [1], ['the body must be a JSON object with "source" and "target"; got [1]']],
    ['no source', () => ({ target: instanceRestore(good).target }), ['source is required']],
    ['a null backup_id', () => ({ ...instanceRestore(good), source: { backup_id: null } }), ['source.backup_id is required']],
    ['a number as backup_id', () => ({ ...instanceRestore(good), source: { backup_id: 5 } }), ['source.backup_id must be a string; got 5']],
    [
      'a camelCase field',
      () => ({ ...instanceRestore(good), source: { backupId: good.id } }),
      ['source.backupId is not a field of EC2RestoreSource; its fields are backup_id', 'source.backup_id is required'],
    ],
    ['an unknown top-level field', () => ({ ...instanceRestore(good), idempotency_key: 'k' }), ['idempotency_key is not a field of the restore request; its fields are source, target']],
    ['no target', () => ({ source: { backup_id: good.id } }), ['target is required']],
    [
      'no target set',
      () => ({ source: { backup_id: good.id }, target: { ami_restore_target: null, instance_restore_target: null, volumes_restore_target: null } }),
      ['target must have exactly one of instance_restore_target, ami_restore_target, volumes_restore_target; none is set'],
    ],
    [
      'two targets set',
      () => ({ source: { backup_id: good.id }, target: { ...instanceRestore(good).target, ami_restore_target: amiRestore(good).target.ami_restore_target } }),
      ['target must have exactly one of instance_restore_target, ami_restore_target, volumes_restore_target; instance_restore_target and ami_restore_target are set'],
    ],
    [
      'an ami target without its required fields',
      () => ({ source: { backup_id: good.id }, target: { ami_restore_target: { description: 'd' } } }),
      [
        'target.ami_restore_target.ebs_block_device_mappings is required',
        'target.ami_restore_target.environment_id is required',
        'target.ami_restore_target.name is required',
      ],
    ],
    [
      'a mapping without volume_native_id or name',
      () => amiRestore(good, { ebs_block_device_mappings: [{ kms_key_native_id: 'k' }] }),
      [
        'target.ami_restore_target.ebs_block_device_mappings[0].volume_native_id is required',
        'target.ami_restore_target.ebs_block_device_mappings[0].name is required',
      ],
    ],
    [
      'a volumes target without aws_az or target_instance_native_id',
      () => volumesRestore(good, { aws_az: null }),
      ['target.volumes_restore_target needs aws_az or target_instance_native_id'],
    ],
    [
      'a volumes target naming an instance, with an unnamed mapping',
      () => ({
        source: { backup_id: good.id },
        target: { volumes_restore_target: { environment_id: ENVIRONMENT_ID, target_instance_native_id: 'i-1', ebs_block_device_mappings: [{ volume_native_id: 'vol-1' }] } },
      }),
      ['target.volumes_restore_target.ebs_block_device_mappings[0].name is required when target_instance_native_id is set'],
    ],
    [
      'an instance target without the fields Clumio\'s velero sample requires',
      () => ({ source: { backup_id: good.id }, target: { instance_restore_target: { aws_az: 'us-west-2a' } } }),
      [
        'target.instance_restore_target.ebs_block_device_mappings is required',
        'target.instance_restore_target.environment_id is required',
        'target.instance_restore_target.network_interfaces is required',
        'target.instance_restore_target.subnet_native_id is required',
        'target.instance_restore_target.vpc_native_id is required',
      ],
    ],
    [
      'wrong JSON types',
      () =>
        withInstance((t) => {
          t.should_power_on = 'yes';
          t.network_interfaces = [{ device_index: '0', security_group_native_ids: 'sg-1' }];
          t.ebs_block_device_mappings[0].volume_initialization_rate = 1.5;
          t.tags = [{ value: 'no key' }];
        }),
      [
        'target.instance_restore_target.ebs_block_device_mappings[0].volume_initialization_rate must be an integer; got 1.5',
        'target.instance_restore_target.network_interfaces[0].device_index must be an integer; got "0"',
        'target.instance_restore_target.network_interfaces[0].security_group_native_ids must be an array; got "sg-1"',
        'target.instance_restore_target.should_power_on must be a boolean; got "yes"',
        'target.instance_restore_target.tags[0].key is required',
      ],
    ],
    ['a target that is not an object', () => ({ source: { backup_id: good.id }, target: { ami_restore_target: 'x' } }), ['target.ami_restore_target must be an object (EC2AMIRestoreTarget); got "x"']],
  ])('answers 400 naming every problem, and starts nothing, for %s', async (_name, body, expected) => {
    const before = emulator.tasks.length;
    const response = await postRestore(body());
    expect([response.status, response.contentType]).toEqual([400, 'application/json']);
    expect(messages(response.text)).toEqual(expected);
    expect(errorOf(response.text).code).toBe(400);
    expect(emulator.tasks.length).toBe(before);
  });

  it('answers 400 for a body that is not JSON, an unknown embed or query parameter, and a repeated embed', async () => {
    const notJson = await postRestore('{"source":');
    expect([notJson.status, messages(notJson.text)[0]]).toEqual([400, expect.stringMatching(/^the body is not valid JSON: /)]);
    const embed = await postRestore(instanceRestore(good), '?embed=read-backup');
    expect([embed.status, messages(embed.text)]).toEqual([400, ['unsupported embed "read-backup"; the only embeddable link is read-task']]);
    const other = await postRestore(instanceRestore(good), '?limit=1');
    expect([other.status, messages(other.text)]).toEqual([400, ['unsupported query parameter "limit"; supported: embed']]);
    const twice = await postRestore(instanceRestore(good), '?embed=read-task&embed=read-task');
    expect(twice.status).toBe(400);
  });

  it('answers 415 unless the body is declared application/json, and 413 past the size limit', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await postRestore(instanceRestore(good), '', { ...JSON_HEADERS, 'content-type': contentType });
      expect([response.status, errorOf(response.text)]).toEqual([415, { code: 415, message: `Content-Type "${contentType}" is not supported; send the body as application/json` }]);
    }
    // fetch sends a string body as text/plain unless told otherwise.
    const { 'content-type': _type, ...untyped } = JSON_HEADERS;
    expect((await postRestore(instanceRestore(good), '', untyped)).status).toBe(415);
    const huge = await postRestore(JSON.stringify({ ...amiRestore(good), padding: 'x'.repeat(MAX_API_BODY_BYTES) }));
    expect([huge.status, errorOf(huge.text).code]).toEqual([413, 413]);
  });

  it('checks the token (401), the Accept header (406), the OU (403) and the method (405) as the other endpoints do', async () => {
    const { authorization: _auth, ...anonymous } = JSON_HEADERS;
    const unauthorized = await postRestore(instanceRestore(good), '', anonymous);
    expect([unauthorized.status, errorOf(unauthorized.text)]).toEqual([401, { code: 402, message: 'Unauthorized access' }]);
    for (const accept of [EC2_BACKUPS_MEDIA_TYPE, 'application/api.clumio.restored-aws-ec2-instances=v2+json', TASKS_MEDIA_TYPE]) {
      const response = await postRestore(instanceRestore(good), '', { ...JSON_HEADERS, accept });
      expect([response.status, errorOf(response.text).message]).toEqual([406, `Accept "${accept}" is not available for this resource; it serves ${RESTORES_MEDIA_TYPE}`]);
    }
    const forbidden = await postRestore(instanceRestore(good), '', { ...JSON_HEADERS, 'x-clumio-organizationalunit-context': 'no-such-ou' });
    expect(forbidden.status).toBe(403);
    const getRestores = await get(url, RESTORES_PATH);
    expect([getRestores.status, getRestores.headers.get('allow')]).toEqual([405, 'POST']);
  });
});

describe('404s', () => {
  it('answers 404 with Clumio\'s error body for an unknown backup, and for one the OU does not see', async () => {
    const before = emulator.tasks.length;
    const unknown = await postRestore({ ...instanceRestore(good), source: { backup_id: 'no-such-backup' } });
    expect([unknown.status, unknown.contentType, JSON.parse(unknown.text)]).toEqual([
      404,
      'application/json',
      { errors: [{ error_code: 404, error_message: 'EC2 instance backup "no-such-backup" not found' }] },
    ]);
    const research = emulator.backups.find((b) => b.account_native_id === '731920465810')!;
    const elsewhere = await postRestore(instanceRestore(research), '', { ...JSON_HEADERS, 'x-clumio-organizationalunit-context': PRODUCTION_OU_ID });
    expect([elsewhere.status, errorOf(elsewhere.text).message]).toEqual([404, `EC2 instance backup "${research.id}" not found`]);
    expect(emulator.tasks.length).toBe(before);
  });

  it('answers 404 for an unknown task, the task list (not emulated) and paths below a task; 405 and 400 as documented', async () => {
    const unknown = await readTask('999999');
    expect([unknown.status, JSON.parse(unknown.text)]).toEqual([404, { errors: [{ error_code: 404, error_message: 'task "999999" not found' }] }]);
    expect((await get(url, TASKS_PATH)).status).toBe(404);
    expect((await get(url, `${TASKS_PATH}/`)).status).toBe(404);
    expect((await get(url, `${TASKS_PATH}/1/x`)).status).toBe(404);
    expect((await patchTask('999999', { status: 'aborting' })).status).toBe(404);
    const id = await restore(instanceRestore(good));
    const deleted = await send('DELETE', `${TASKS_PATH}/${id}`, undefined, TASK_HEADERS);
    expect([deleted.status, deleted.headers.get('allow')]).toEqual([405, 'GET, PATCH']);
    const query = await get(url, `${TASKS_PATH}/${id}?embed=x`, TASK_HEADERS);
    expect([query.status, errorOf(query.text).message]).toEqual([400, 'unsupported query parameter "embed"; this endpoint takes none']);
    const accept = await readTask(id, { ...AUTH, accept: RESTORES_MEDIA_TYPE });
    expect([accept.status, errorOf(accept.text).message]).toEqual([406, `Accept "${RESTORES_MEDIA_TYPE}" is not available for this resource; it serves ${TASKS_MEDIA_TYPE}`]);
    const ok = await readTask(id, { ...AUTH, accept: 'application/api.clumio.*=v2&tasks=v1+json' });
    expect([ok.status, ok.contentType]).toEqual([200, TASKS_MEDIA_TYPE]);
  });
});

describe('who sees a task', () => {
  it('is the token (organization) that created it: another token gets 404 and its own ids', async () => {
    const mine = await restore(instanceRestore(good));
    const other = { authorization: `Bearer ${SECOND_ORG_TOKEN}` };
    expect((await readTask(mine, other)).status).toBe(404);
    expect((await patchTask(mine, { status: 'aborting' }, { ...other, 'content-type': 'application/json' })).status).toBe(404);
    const theirs = await restore(instanceRestore(good), '', { ...JSON_HEADERS, ...other });
    expect(theirs).not.toBe(mine);
    expect((await task(theirs, other)).status).toBe('queued');
    expect((await readTask(theirs)).status).toBe(404);
  });

  it('is every OU that sees the backup\'s account: the OU it was sent in, its parents and the global OU', async () => {
    const research = emulator.backups.find((b) => b.account_native_id === '731920465810')!;
    const inResearch = { ...JSON_HEADERS, 'x-clumio-organizationalunit-context': RESEARCH_OU_ID };
    const id = await restore(instanceRestore(research), '', inResearch);
    const seen = await task(id, { ...TASK_HEADERS, 'x-clumio-organizationalunit-context': RESEARCH_OU_ID });
    expect(seen._links['read-organizational-unit'].href).toBe(`/organizational-units/${RESEARCH_OU_ID}`);
    expect((await readTask(id)).status).toBe(200);
    expect((await readTask(id, { ...TASK_HEADERS, 'x-clumio-organizationalunit-context': GLOBAL_ORGANIZATIONAL_UNIT_ID })).status).toBe(200);
    expect((await readTask(id, { ...TASK_HEADERS, 'x-clumio-organizationalunit-context': PRODUCTION_OU_ID })).status).toBe(404);
    expect((await readTask(id, { ...TASK_HEADERS, 'x-clumio-organizationalunit-context': 'no-such-ou' })).status).toBe(403);
  });
});

describe('progress on the emulator clock', () => {
  it('is queued, then in_progress with progress rising, then completed at 100, with its timestamps', async () => {
    const created = now;
    const id = await restore(instanceRestore(good));
    const { queuedMs, runningMs } = DEFAULT_TASK_TIMINGS;
    const at = async (offset: number) => {
      now = created + offset;
      const t = await task(id);
      return [t.status, t.progress_percentage, t.start_timestamp, t.end_timestamp, t.is_abortable];
    };
    const start = formatRfc3339(created + queuedMs);
    const end = formatRfc3339(created + queuedMs + runningMs);
    expect(await at(0)).toEqual(['queued', 0, null, null, true]);
    expect(await at(queuedMs - 1)).toEqual(['queued', 0, null, null, true]);
    expect(await at(queuedMs)).toEqual(['in_progress', 0, start, null, true]);
    expect(await at(queuedMs + runningMs / 4)).toEqual(['in_progress', 25, start, null, true]);
    expect(await at(queuedMs + runningMs / 2)).toEqual(['in_progress', 50, start, null, true]);
    expect(await at(queuedMs + runningMs - 1)).toEqual(['in_progress', 99, start, null, true]);
    expect(await at(queuedMs + runningMs)).toEqual(['completed', 100, start, end, false]);
    expect(await at(queuedMs + runningMs + 3_600_000)).toEqual(['completed', 100, start, end, false]);
    const done = await task(id);
    expect(done.created_timestamp).toBe(formatRfc3339(created));
    expect(Object.keys(done._links)).toEqual(['_self', 'read-organizational-unit']);
  });

  it('rises in several steps when polled every second, as a person in GraphiQL would see it', async () => {
    const created = now;
    const id = await restore(instanceRestore(good));
    const seen: Array<[string, number]> = [];
    for (let s = 0; s <= 20; s++) {
      now = created + s * 1000;
      const t = await task(id);
      const last = seen.at(-1);
      if (last?.[0] !== t.status || last[1] !== t.progress_percentage) seen.push([t.status, t.progress_percentage]);
    }
    expect(seen[0]).toEqual(['queued', 0]);
    expect(seen.at(-1)).toEqual(['completed', 100]);
    expect(seen.filter(([status]) => status === 'in_progress').length).toBeGreaterThanOrEqual(10);
    const total = DEFAULT_TASK_TIMINGS.queuedMs + DEFAULT_TASK_TIMINGS.runningMs;
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(total).toBeLessThanOrEqual(20_000);
  });

  it('changes its _etag exactly when its status or progress changes', async () => {
    const id = await restore(instanceRestore(good));
    const first = await task(id);
    expect((await task(id))._etag).toBe(first._etag);
    advance(DEFAULT_TASK_TIMINGS.queuedMs);
    const started = await task(id);
    expect(started._etag).not.toBe(first._etag);
    advance(DEFAULT_TASK_TIMINGS.runningMs / 2);
    expect((await task(id))._etag).not.toBe(started._etag);
  });

  it('follows the timings given, and refuses negative ones', async () => {
    let clock = T0;
    const quick = createClumioEmulator({ now: () => clock, taskTimings: { queuedMs: 0, runningMs: 1000 } });
    try {
      const base = await quick.listen();
      const response = await fetch(`${base}${RESTORES_PATH}?embed=read-task`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(instanceRestore(good)) });
      const body = (await response.json()) as { task_id: string; _embedded: { 'read-task': TaskBody } };
      expect(body._embedded['read-task']).toMatchObject({ status: 'in_progress', progress_percentage: 0, start_timestamp: formatRfc3339(T0) });
      clock += 1000;
      expect(quick.tasks[0]?.task).toMatchObject({ status: 'completed', end_timestamp: formatRfc3339(T0 + 1000) });
    } finally {
      await quick.close();
    }
    expect(() => createClumioEmulator({ taskTimings: { runningMs: -1 } })).toThrow(/taskTimings.runningMs must be a number of ms >= 0/);
  });
});

describe('failures', () => {
  it('fails restores of backups whose id ends in "f": in_progress to 60%, then failed with its end time', async () => {
    expect(restoreFailsByDefault('0000-000f')).toBe(true);
    expect(restoreFailsByDefault('0000-000e')).toBe(false);
    const share = emulator.backups.filter((b) => restoreFailsByDefault(b.id!)).length / emulator.backups.length;
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.1);

    const created = now;
    const id = await restore(instanceRestore(failing));
    const { queuedMs, runningMs } = DEFAULT_TASK_TIMINGS;
    now = created + queuedMs + runningMs * 0.6 - 1;
    expect(await task(id)).toMatchObject({ status: 'in_progress', progress_percentage: 59, end_timestamp: null });
    now = created + queuedMs + runningMs * 0.6;
    expect(await task(id)).toMatchObject({
      status: 'failed',
      progress_percentage: 60,
      is_abortable: false,
      start_timestamp: formatRfc3339(created + queuedMs),
      end_timestamp: formatRfc3339(now),
    });
    advance(runningMs);
    expect((await task(id)).status).toBe('failed');
  });

  it('fails what `restoreFails` picks, and a backup inserted with an id ending in "f"', async () => {
    let clock = T0;
    const picky = createClumioEmulator({ now: () => clock, restoreFails: (backupId) => backupId === good.id });
    try {
      const base = await picky.listen();
      const post = (b: WireEc2Backup) => fetch(base + RESTORES_PATH, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(instanceRestore(b)) }).then((r) => r.text());
      await post(good);
      await post(failing);
      clock += 60_000;
      expect(picky.tasks.map((t) => t.task.status)).toEqual(['failed', 'completed']);
    } finally {
      await picky.close();
    }
    const added = emulator.insertBackup({ id: '00000000-0000-4000-8000-00000000000f', start_timestamp: '2025-06-29T12:00:00Z', instance_id: good.instance_id! });
    const id = await restore(instanceRestore(added));
    advance(60_000);
    expect((await task(id)).status).toBe('failed');
    expect(emulator.removeBackup(added.id!)).toBe(true);
    // The task outlives its backup.
    expect((await task(id)).status).toBe('failed');
  });
});

describe('aborts: PATCH /tasks/{task_id} {"status":"aborting"}', () => {
  it('makes a running task aborting (200, the task), then aborted after abortingMs, its progress frozen', async () => {
    const created = now;
    const id = await restore(instanceRestore(good));
    const { queuedMs, runningMs, abortingMs } = DEFAULT_TASK_TIMINGS;
    now = created + queuedMs + runningMs / 4;
    const response = await patchTask(id, { status: 'aborting' });
    expect([response.status, response.contentType]).toEqual([200, TASKS_MEDIA_TYPE]);
    const aborting = JSON.parse(response.text) as TaskBody;
    expect(aborting).toMatchObject({ id, status: 'aborting', progress_percentage: 25, is_abortable: false, end_timestamp: null });
    expect(aborting._links['update-task']).toBeUndefined();
    expect(await task(id)).toEqual(aborting);
    const abortedAt = now + abortingMs;
    now = abortedAt - 1;
    expect((await task(id)).status).toBe('aborting');
    now = abortedAt;
    expect(await task(id)).toMatchObject({
      status: 'aborted',
      progress_percentage: 25,
      start_timestamp: formatRfc3339(created + queuedMs),
      end_timestamp: formatRfc3339(abortedAt),
    });
    advance(runningMs);
    expect((await task(id)).status).toBe('aborted');
  });

  it('aborts a queued task, which never starts; an abort wins over a failure to come', async () => {
    const id = await restore(instanceRestore(failing));
    expect((await patchTask(id, { status: 'aborting' })).status).toBe(200);
    advance(60_000);
    expect(await task(id)).toMatchObject({ status: 'aborted', progress_percentage: 0, start_timestamp: null });
  });

  it('refuses to abort a task that is no longer queued or in_progress, and any other update', async () => {
    const id = await restore(instanceRestore(good));
    for (const [body, expected] of [
      [{ status: 'aborted' }, ['status must be "aborting" (the only update a task takes); got "aborted"']],
      [{}, ['status is required']],
      [{ status: 'aborting', progress_percentage: 5 }, ['progress_percentage is not a field of the task update; its only field is status']],
      ['"aborting"', ['the body must be a JSON object such as {"status":"aborting"}']],
    ] as const) {
      const response = await patchTask(id, body);
      expect([response.status, messages(response.text)]).toEqual([400, expected]);
    }
    const plain = await patchTask(id, { status: 'aborting' }, { ...TASK_HEADERS, 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    advance(60_000);
    const late = await patchTask(id, { status: 'aborting' });
    expect([late.status, messages(late.text)]).toEqual([400, [`task "${id}" is completed; only a queued or in_progress task can be aborted`]]);
    const again = await restore(instanceRestore(good));
    expect((await patchTask(again, { status: 'aborting' })).status).toBe(200);
    const twice = await patchTask(again, { status: 'aborting' });
    expect([twice.status, messages(twice.text)]).toEqual([400, [`task "${again}" is aborting; only a queued or in_progress task can be aborted`]]);
  });

  it('uses only the six documented statuses', () => {
    expect([...TASK_STATUSES]).toEqual(['queued', 'in_progress', 'completed', 'failed', 'aborting', 'aborted']);
  });
});

describe('fault modes on both endpoints', () => {
  /** POSTs a restore under the active mode: how it ended, and whether it left a task. */
  async function underFault(query = ''): Promise<{ outcome: RawResponse | 'failed'; created: number }> {
    const before = emulator.tasks.length;
    const outcome = await postRestore(instanceRestore(good), query).catch(() => 'failed' as const);
    return { outcome, created: emulator.tasks.length - before };
  }

  it('covers every mode', () => {
    expect([...FAULT_MODES].sort()).toEqual(
      ['latency', 'hang', '5xx', '429', 'reset', 'truncated-json', 'malformed-json', 'wrong-content-type', 'slow-body'].sort(),
    );
  });

  it('reset after the POST body arrived: no answer, but the restore started (its task exists) and the log has the body', async () => {
    emulator.setFaultMode('reset');
    const sent = JSON.stringify(instanceRestore(good));
    const before = emulator.tasks.length;
    await expect(fetch(url + RESTORES_PATH, { method: 'POST', headers: JSON_HEADERS, body: sent })).rejects.toThrow();
    expect(emulator.tasks.length).toBe(before + 1);
    expect(emulator.tasks.at(-1)?.task.status).toBe('queued');
    expect(emulator.requests.map((r) => [r.method, r.path, r.status, r.body])).toEqual([['POST', RESTORES_PATH, 0, sent]]);
  });

  it('hang: the restore starts on arrival, the answer is held, and the release answers that same task', async () => {
    emulator.setFaultMode('hang');
    const before = emulator.tasks.length;
    const pending = postRestore(instanceRestore(good));
    await until(() => emulator.faultMode?.held === 1, 'the restore is held');
    expect(emulator.tasks.length).toBe(before + 1);
    const created = emulator.tasks.at(-1)!.task.id;
    emulator.setFaultMode(null);
    const response = await pending;
    expect([response.status, JSON.parse(response.text).task_id]).toEqual([202, created]);
    expect(emulator.tasks.length).toBe(before + 1);
  });

  it.each<[FaultModeName, Record<string, unknown>, number | 'failed', number]>([
    ['latency', { latencyMs: 30 }, 202, 1],
    ['slow-body', { latencyMs: 30 }, 202, 1],
    ['truncated-json', {}, 202, 1],
    ['malformed-json', {}, 202, 1],
    ['5xx', { statuses: [500] }, 500, 1],
    ['5xx', { statuses: [504] }, 504, 1],
    ['5xx', { statuses: [502] }, 502, 0],
    ['5xx', { statuses: [503] }, 503, 0],
    ['429', { retryAfterSeconds: 3 }, 429, 0],
    ['wrong-content-type', {}, 200, 0],
  ])('%s %j on POST: answers %s and leaves %i task(s)', async (mode, options, status, tasks) => {
    emulator.setFaultMode(mode, options);
    const { outcome, created } = await underFault('?embed=read-task');
    expect(outcome === 'failed' ? outcome : outcome.status).toBe(status);
    expect(created).toBe(tasks);
  });

  it('mangles or slows the real 202 as it does any answer', async () => {
    emulator.setFaultMode('truncated-json');
    const truncated = await postRestore(instanceRestore(good));
    expect(truncated.contentType).toBe(RESTORES_MEDIA_TYPE);
    expect(truncated.status).toBe(202);
    expect(() => JSON.parse(truncated.text)).toThrow();
    expect(truncated.text.startsWith('{"_embedded":{},"_links":')).toBe(true);
    emulator.setFaultMode('malformed-json');
    const malformed = await postRestore(instanceRestore(good));
    expect([malformed.status, malformed.contentType]).toEqual([202, RESTORES_MEDIA_TYPE]);
    expect(() => JSON.parse(malformed.text)).toThrow();
    emulator.setFaultMode('slow-body', { latencyMs: 30 });
    const slow = await postRestore(instanceRestore(good));
    expect(JSON.parse(slow.text).task_id).toBe(emulator.tasks.at(-1)?.task.id);
    emulator.setFaultMode('wrong-content-type');
    const html = await postRestore(instanceRestore(good));
    expect(html.contentType).toBe('text/html; charset=utf-8');
  });

  it('answers the 5xx rotation 502, 503, 500 on POST: only the 500 started a restore', async () => {
    emulator.setFaultMode('5xx');
    const results = [];
    for (let i = 0; i < 3; i++) {
      const { outcome, created } = await underFault();
      results.push([outcome === 'failed' ? outcome : outcome.status, created]);
    }
    expect(results).toEqual([
      [502, 0],
      [503, 0],
      [500, 1],
    ]);
  });

  it('works on GET /tasks/{task_id} too', async () => {
    const id = await restore(instanceRestore(good));
    const clean = (await readTask(id)).text;
    const expectations: Array<[FaultModeName, Record<string, unknown>, (r: RawResponse | 'failed') => void]> = [
      ['reset', {}, (r) => expect(r).toBe('failed')],
      ['5xx', { statuses: [503] }, (r) => expect(r !== 'failed' && [r.status, errorOf(r.text)]).toEqual([503, { code: 503, message: 'Service unavailable' }])],
      ['429', { retryAfterSeconds: 2 }, (r) => expect(r !== 'failed' && [r.status, r.headers.get('retry-after')]).toEqual([429, '2'])],
      ['truncated-json', {}, (r) => expect(r !== 'failed' && [r.status, r.text]).toEqual([200, clean.slice(0, Math.floor(clean.length / 2))])],
      ['malformed-json', {}, (r) => expect(r !== 'failed' && r.text.length).toBe(clean.length + 2)],
      ['wrong-content-type', {}, (r) => expect(r !== 'failed' && [r.status, r.contentType]).toEqual([200, 'text/html; charset=utf-8'])],
      ['latency', { latencyMs: 20 }, (r) => expect(r !== 'failed' && [r.status, r.text]).toEqual([200, clean])],
      ['slow-body', { latencyMs: 20 }, (r) => expect(r !== 'failed' && [r.status, r.text]).toEqual([200, clean])],
    ];
    for (const [mode, options, check] of expectations) {
      emulator.setFaultMode(mode, options);
      check(await readTask(id).catch(() => 'failed' as const));
    }
    emulator.setFaultMode('hang');
    const held = readTask(id);
    await until(() => emulator.faultMode?.held === 1, 'the read is held');
    emulator.setFaultMode(null);
    expect((await held).text).toBe(clean);
  });

  it('a reset PATCH still aborted the task', async () => {
    const id = await restore(instanceRestore(good));
    emulator.setFaultMode('reset');
    await expect(patchTask(id, { status: 'aborting' })).rejects.toThrow();
    emulator.setFaultMode(null);
    expect((await task(id)).status).toBe('aborting');
  });
});

describe('injected faults on a restore', () => {
  const onRestore = (r: { path: string }) => r.path === RESTORES_PATH;

  it('destroySocket after the body: the restore started; with beforeBody: nothing started and no body logged', async () => {
    let before = emulator.tasks.length;
    emulator.injectFault({ match: onRestore, destroySocket: true });
    await expect(postRestore(instanceRestore(good))).rejects.toThrow();
    expect(emulator.tasks.length).toBe(before + 1);
    expect(emulator.requests[0]?.body).toBe(JSON.stringify(instanceRestore(good)));

    emulator.clearRequests();
    before = emulator.tasks.length;
    emulator.injectFault({ match: onRestore, destroySocket: true, beforeBody: true });
    await expect(postRestore(instanceRestore(good))).rejects.toThrow();
    expect(emulator.tasks.length).toBe(before);
    expect(emulator.requests[0]).toMatchObject({ method: 'POST', status: 0 });
    expect(emulator.requests[0]?.body).toBeUndefined();
  });

  it('a status answers in front of the service (nothing started) unless it is 500 or 504, or carriesOut says so', async () => {
    const cases: Array<[Parameters<ClumioEmulator['injectFault']>[0], number, number]> = [
      [{ status: 503 }, 503, 0],
      [{ status: 429, retryAfter: '1' }, 429, 0],
      [{ status: 500 }, 500, 1],
      [{ status: 504, body: '<html>timeout</html>', contentType: 'text/html' }, 504, 1],
      [{ status: 503, carriesOut: true }, 503, 1],
      [{ status: 500, carriesOut: false }, 500, 0],
      [{ status: 502, beforeBody: true }, 502, 0],
      [{ delayMs: 10 }, 202, 1],
    ];
    for (const [fault, status, tasks] of cases) {
      const before = emulator.tasks.length;
      emulator.injectFault({ match: onRestore, ...fault });
      const response = await postRestore(instanceRestore(good));
      expect([JSON.stringify(fault), response.status, emulator.tasks.length - before]).toEqual([JSON.stringify(fault), status, tasks]);
    }
  });

  it('`until` holds the answer of a restore that has already started', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const before = emulator.tasks.length;
    emulator.injectFault({ match: onRestore, until: released });
    const pending = postRestore(instanceRestore(good));
    await until(() => emulator.tasks.length === before + 1, 'the restore started');
    release();
    expect(JSON.parse((await pending).text).task_id).toBe(emulator.tasks.at(-1)?.task.id);
  });
});

describe('request log', () => {
  it('records a restore\'s method, path, query, headers and its exact body, and a task read without a body', async () => {
    // Field order and spacing as sent: the log keeps the bytes, not a re-serialisation.
    const sent = `{ "target": ${JSON.stringify(amiRestore(good).target)},\n  "source": {"backup_id": "${good.id}"} }`;
    const response = await postRestore(sent, '?embed=read-task');
    expect(response.status).toBe(202);
    const id = JSON.parse(response.text).task_id as string;
    await readTask(id);
    await postRestore('{"source":', '');
    expect(emulator.requests.map((r) => ({ method: r.method, path: r.path, query: r.query, status: r.status, body: r.body }))).toEqual([
      { method: 'POST', path: RESTORES_PATH, query: { embed: 'read-task' }, status: 202, body: sent },
      { method: 'GET', path: `${TASKS_PATH}/${id}`, query: {}, status: 200, body: undefined },
      { method: 'POST', path: RESTORES_PATH, query: {}, status: 400, body: '{"source":' },
    ]);
    expect(emulator.requests[0]?.headers).toMatchObject({
      authorization: AUTH.authorization,
      'content-type': 'application/json',
      accept: RESTORES_MEDIA_TYPE,
    });
    expect(Object.keys(emulator.requests[1]!)).not.toContain('body');
  });

  it('keeps no body when the log is off', async () => {
    const quiet = createClumioEmulator({ recordRequests: false });
    try {
      const base = await quiet.listen();
      const response = await fetch(base + RESTORES_PATH, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(instanceRestore(good)) });
      expect(response.status).toBe(202);
      await response.arrayBuffer();
      expect(quiet.requests).toHaveLength(0);
      expect(quiet.tasks).toHaveLength(1);
    } finally {
      await quiet.close();
    }
  });
});

describe('the CLI', () => {
  it('takes the task timings, reports bad ones, and documents restores, tasks, the failure rule and faults on POST', () => {
    const parsed = parseEmulatorArgs(['--task-queued-ms', '0', '--task-running-ms=3000', '--task-aborting-ms', '500']);
    expect(parsed.ok === true && parsed.config.taskTimings).toEqual({ queuedMs: 0, runningMs: 3000, abortingMs: 500 });
    const defaults = parseEmulatorArgs([]);
    expect(defaults.ok === true && defaults.config.taskTimings).toBeUndefined();
    const bad = parseEmulatorArgs(['--task-running-ms=-5', '--task-queued-ms', '1e3']);
    expect(bad.ok === false && bad.problems).toEqual([
      '--task-queued-ms must be a whole number of ms from 0 to 86400000, got "1e3"',
      '--task-running-ms must be a whole number of ms from 0 to 86400000, got "-5"',
    ]);
    for (const text of [`POST   ${RESTORES_PATH}`, `GET    ${TASKS_PATH}/{task_id}`, `PATCH  ${TASKS_PATH}/{task_id}`, 'whose id ends in "f" fail', '--task-running-ms', 'answer still leaves a task']) {
      expect(USAGE).toContain(text);
    }
  });
});
