import { DEFAULT_EMULATOR_TOKEN } from '../../src/emulator';
import type { RecordedRequest } from '../../src/emulator';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * The restore mutation over the wire: the exact POST Clumio receives per target, refusals that send
 * nothing, a POST never sent twice (resets, 5xx, idempotency keys, concurrent duplicates), the
 * credential modes, and task reads.
 */

const RESTORE = `
  mutation Restore($input: RestoreEc2InstanceBackupInput!) {
    restoreEc2InstanceBackup(input: $input) { task { id taskId status progressPercentage category } }
  }`;
const OWN = { authorization: 'Bearer alice' };

let h: Harness;
let backupId: string;
let volume: string;

beforeAll(async () => {
  h = await startHarness({ emulator: { tokens: [DEFAULT_EMULATOR_TOKEN, 'alice', 'bob'] }, env: { CLUMIO_API_TOKEN: DEFAULT_EMULATOR_TOKEN } });
  const page = await h.gql('{ ec2InstanceBackups(first: 1) { nodes { backupId attachedBackupEbsVolumes { volumeNativeId } } } }');
  backupId = page.data.ec2InstanceBackups.nodes[0].backupId;
  volume = page.data.ec2InstanceBackups.nodes[0].attachedBackupEbsVolumes[0].volumeNativeId;
});
afterAll(() => h.close());
beforeEach(() => {
  h.emulator.clearFaults();
  h.resetUpstream();
});

const posts = (): RecordedRequest[] => h.upstream().filter((r) => r.method === 'POST');
const restore = (input: Record<string, unknown>, headers: Record<string, string> = OWN) => h.gql(RESTORE, { input: { backupId, ...input } }, headers);

describe('the POST Clumio receives', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'instance',
      {
        instance: {
          environmentId: 'env-1',
          awsAz: 'us-west-2a',
          subnetNativeId: 'subnet-0abcdef1234567890',
          vpcNativeId: 'vpc-0abcdef1234567890',
          shouldPowerOn: false,
          keyPairName: '',
          tags: [{ key: 'restored-by', value: 'graph' }],
          ebsBlockDeviceMappings: [{ name: '/dev/xvda', volumeNativeId: 'vol-0abcdef1234567890', volumeInitializationRate: 300 }],
          networkInterfaces: [{ deviceIndex: 0, restoreFromBackup: true, securityGroupNativeIds: ['sg-0abcdef1234567890'], subnetNativeId: null }],
        },
      },
      {
        instance_restore_target: {
          environment_id: 'env-1',
          aws_az: 'us-west-2a',
          subnet_native_id: 'subnet-0abcdef1234567890',
          vpc_native_id: 'vpc-0abcdef1234567890',
          key_pair_name: '',
          should_power_on: false,
          tags: [{ key: 'restored-by', value: 'graph' }],
          ebs_block_device_mappings: [{ name: '/dev/xvda', volume_native_id: 'vol-0abcdef1234567890', volume_initialization_rate: 300 }],
          network_interfaces: [{ device_index: 0, restore_from_backup: true, security_group_native_ids: ['sg-0abcdef1234567890'] }],
        },
      },
    ],
    [
      'ami',
      { ami: { name: 'web-restore', environmentId: 'env-1', description: 'from a backup', ebsBlockDeviceMappings: [{ name: '/dev/xvda', volumeNativeId: 'vol-0abcdef1234567890', tags: [{ key: 'k' }] }] } },
      { ami_restore_target: { name: 'web-restore', environment_id: 'env-1', description: 'from a backup', ebs_block_device_mappings: [{ name: '/dev/xvda', volume_native_id: 'vol-0abcdef1234567890', tags: [{ key: 'k' }] }] } },
    ],
    [
      'volumes (free, so no device name)',
      { volumes: { environmentId: 'env-1', awsAz: 'us-west-2b', ebsBlockDeviceMappings: [{ volumeNativeId: 'vol-0abcdef1234567890' }] } },
      { volumes_restore_target: { environment_id: 'env-1', aws_az: 'us-west-2b', ebs_block_device_mappings: [{ volume_native_id: 'vol-0abcdef1234567890' }] } },
    ],
  ])('%s: one POST with the snake_case body, the versioned Accept and the caller\'s token', async (_kind, target, wireTarget) => {
    const response = await restore(target);
    expect(response.errors).toBeUndefined();
    const { task } = response.data.restoreEc2InstanceBackup;
    expect(task).toEqual({ id: expect.any(String), taskId: expect.any(String), status: 'QUEUED', progressPercentage: 0, category: 'restore' });
    const sent = posts();
    expect(sent).toHaveLength(1);
    const post = sent[0]!;
    expect(post.path).toBe('/restores/aws/ec2-instances');
    expect(post.query).toEqual({ embed: 'read-task' });
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.headers.accept).toBe('application/api.clumio.restored-aws-ec2-instances=v1+json');
    expect(post.headers.authorization).toBe('Bearer alice');
    expect(JSON.parse(post.body!)).toEqual({ source: { backup_id: backupId }, target: wireTarget });
    // The embedded task answers the payload: no task read.
    expect(h.upstream()).toHaveLength(1);
  });

  it('reads the task once when the 202 embeds none', async () => {
    // The restore is carried out (its task made), but the 202 comes without `_embedded`.
    const next = String(h.emulator.tasks.length + 1);
    h.emulator.injectFault({ match: (r) => r.method === 'POST', status: 202, carriesOut: true, body: JSON.stringify({ task_id: next, _links: {}, _embedded: {} }) });
    const response = await restore({ volumes: { environmentId: 'env-1', awsAz: 'us-west-2a', ebsBlockDeviceMappings: [{ volumeNativeId: volume }] } });
    expect(response.errors).toBeUndefined();
    expect(response.data.restoreEc2InstanceBackup.task).toMatchObject({ taskId: next, status: 'QUEUED', category: 'restore' });
    expect(h.upstream().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /restores/aws/ec2-instances', `GET /tasks/${next}`]);
  });
});

describe('refused before anything is sent', () => {
  const volumes = { awsAz: 'us-west-2a', ebsBlockDeviceMappings: [{ volumeNativeId: 'vol-0abcdef1234567890' }] };
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no target', {}, /Set one restore target/],
    ['two targets', { volumes, ami: { name: 'x', environmentId: 'e', ebsBlockDeviceMappings: [] } }, /exactly one restore target.*input.volumes.*input.ami|input.ami.*input.volumes/],
    ['a null ami name', { ami: { name: null, environmentId: 'e', ebsBlockDeviceMappings: [] } }, /`input.ami.name` is required/],
    ['an absent ami environmentId', { ami: { name: 'x', ebsBlockDeviceMappings: [] } }, /`input.ami.environmentId` is required/],
    ['ami without mappings', { ami: { name: 'x', environmentId: 'e' } }, /`input.ami.ebsBlockDeviceMappings` is required/],
    ['volumes with neither zone nor instance', { volumes: { ebsBlockDeviceMappings: [] } }, /targetInstanceNativeId.*awsAz/],
    ['a mapping without its volume', { volumes: { awsAz: 'us-west-2a', ebsBlockDeviceMappings: [{ name: '/dev/xvdb' }] } }, /`input.volumes.ebsBlockDeviceMappings\[0\].volumeNativeId` is required/],
    ['an attached volume without a device name', { volumes: { targetInstanceNativeId: 'i-0abcdef1234567890', ebsBlockDeviceMappings: [{ volumeNativeId: 'vol-0abcdef1234567890' }] } }, /ebsBlockDeviceMappings\[0\].name` is required/],
    ['a tag without a key', { instance: { tags: [{ value: 'v' }] } }, /`input.instance.tags\[0\].key` is required/],
    ['a volume id that is not one', { volumes: { awsAz: 'us-west-2a', ebsBlockDeviceMappings: [{ volumeNativeId: 'volume-1' }] } }, /volumeNativeId` is not in AWS's format.*vol-0abcdef1234567890/],
    ['an availability zone that is not one', { volumes: { awsAz: 'us-west-2', ebsBlockDeviceMappings: [] } }, /`input.volumes.awsAz` is not in AWS's format/],
    ['a device name that is not one', { instance: { ebsBlockDeviceMappings: [{ name: 'C:', volumeNativeId: 'vol-0abcdef1234567890' }] } }, /name` is not in AWS's format/],
    ['an empty idempotency key', { volumes, idempotencyKey: '' }, /idempotencyKey` must be 1 to 255 characters/],
  ])('%s', async (_what, input, message) => {
    const response = await restore(input);
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toMatch(message);
    expect(h.upstream()).toEqual([]);
  });

  it('refuses as a literal what it refuses in variables', async () => {
    const response = await h.gql(`mutation { restoreEc2InstanceBackup(input: { backupId: "${backupId}", ami: { environmentId: "e", ebsBlockDeviceMappings: [] } }) { task { id } } }`, undefined, OWN);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(/`input.ami.name` is required/);
    expect(h.upstream()).toEqual([]);
  });

  it('sends empty strings and lists as given', async () => {
    const response = await restore({ volumes: { environmentId: '', awsAz: '', ebsBlockDeviceMappings: [] } });
    expect(response.errors).toBeUndefined();
    expect(JSON.parse(posts()[0]!.body!).target).toEqual({ volumes_restore_target: { environment_id: '', aws_az: '', ebs_block_device_mappings: [] } });
  });
});

describe('a POST is never sent twice', () => {
  const target = () => ({ volumes: { environmentId: 'env-1', awsAz: 'us-west-2a', ebsBlockDeviceMappings: [{ volumeNativeId: volume }] } });

  it('a connection reset after the body was sent: one POST, and the error says the restore may have started', async () => {
    const tasksBefore = h.emulator.tasks.length;
    h.emulator.injectFault({ match: (r) => r.method === 'POST', destroySocket: true });
    const response = await restore(target());
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', restoreMayHaveStarted: true });
    expect(response.errors?.[0]?.message).toMatch(/may have started/);
    expect(posts()).toHaveLength(1);
    // It had: the emulator carried the restore out before the reset.
    expect(h.emulator.tasks.length).toBe(tasksBefore + 1);
  });

  it('a 5xx: one POST, restoreMayHaveStarted; a 4xx: no flag, with Clumio\'s answer', async () => {
    h.emulator.injectFault({ match: (r) => r.method === 'POST', status: 503 });
    const failed = await restore(target());
    expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', restoreMayHaveStarted: true, upstream: { status: 503 } });
    expect(posts()).toHaveLength(1);

    h.resetUpstream();
    const unknown = await h.gql(RESTORE, { input: { backupId: 'no-such-backup', ...target() } }, OWN);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { status: 404 } });
    expect(unknown.errors?.[0]?.extensions).not.toHaveProperty('restoreMayHaveStarted');
    expect(posts()).toHaveLength(1);
  });

  it('an idempotency key: the same input answers the first task and sends nothing; another input is refused', async () => {
    const key = `key-${Date.now()}-a`;
    const first = await restore({ ...target(), idempotencyKey: key });
    const again = await restore({ idempotencyKey: key, volumes: { ebsBlockDeviceMappings: [{ volumeNativeId: volume, name: null }], awsAz: 'us-west-2a', environmentId: 'env-1', targetInstanceNativeId: null } });
    expect(again.errors).toBeUndefined();
    expect(again.data.restoreEc2InstanceBackup.task.taskId).toBe(first.data.restoreEc2InstanceBackup.task.taskId);
    expect(posts()).toHaveLength(1);

    const other = await restore({ idempotencyKey: key, volumes: { environmentId: 'env-1', awsAz: 'us-west-2b', ebsBlockDeviceMappings: [{ volumeNativeId: volume }] } });
    expect(other.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(posts()).toHaveLength(1);
    // Another caller's identical key is its own.
    const bob = await restore({ ...target(), idempotencyKey: key }, { authorization: 'Bearer bob' });
    expect(bob.errors).toBeUndefined();
    expect(posts()).toHaveLength(2);
  });

  it('concurrent identical calls with one key send one POST and answer the same task', async () => {
    const key = `key-${Date.now()}-b`;
    let release!: () => void;
    h.emulator.injectFault({ match: (r) => r.method === 'POST', until: new Promise<void>((resolve) => (release = resolve)) });
    const stop = h.emulator.onRequestOpened(() => release());
    const answers = await Promise.all(Array.from({ length: 5 }, () => restore({ ...target(), idempotencyKey: key })));
    stop();
    expect(answers.map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(new Set(answers.map((a) => a.data.restoreEc2InstanceBackup.task.taskId)).size).toBe(1);
    expect(posts()).toHaveLength(1);
  });

  it('after an unknown outcome the key is refused, telling the caller to check its tasks', async () => {
    const key = `key-${Date.now()}-c`;
    h.emulator.injectFault({ match: (r) => r.method === 'POST', destroySocket: true });
    const lost = await restore({ ...target(), idempotencyKey: key });
    expect(lost.errors?.[0]?.extensions?.restoreMayHaveStarted).toBe(true);
    const retry = await restore({ ...target(), idempotencyKey: key });
    expect(retry.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(retry.errors?.[0]?.message).toMatch(/check your Clumio tasks/);
    expect(posts()).toHaveLength(1);
  });
});

describe('tasks', () => {
  it('reads a task by taskId and through node(id), once per request; null when Clumio has none', async () => {
    const started = await restore({ volumes: { environmentId: 'env-1', awsAz: 'us-west-2a', ebsBlockDeviceMappings: [{ volumeNativeId: volume }] } });
    const { id, taskId } = started.data.restoreEc2InstanceBackup.task;
    h.resetUpstream();
    const read = await h.gql(
      `query($taskId: ID!, $id: ID!) {
        clumioTask(taskId: $taskId) { taskId status genre type primaryEntity { type } }
        node(id: $id) { ... on ClumioTask { __typename taskId } }
        missing: clumioTask(taskId: "999999") { taskId }
      }`,
      { taskId, id },
      OWN,
    );
    expect(read.errors).toBeUndefined();
    expect(read.data.clumioTask).toMatchObject({ taskId, status: expect.any(String), genre: 'operational', primaryEntity: { type: 'aws_ec2_instance' } });
    expect(read.data.node).toEqual({ __typename: 'ClumioTask', taskId });
    expect(read.data.missing).toBeNull();
    expect(h.upstream().map((r) => `${r.method} ${r.path} ${r.headers.accept}`).sort()).toEqual([
      `GET /tasks/${taskId} application/api.clumio.tasks=v1+json`,
      'GET /tasks/999999 application/api.clumio.tasks=v1+json',
    ]);
  });
});

describe('credentials (CLUMIO_RESTORES)', () => {
  const input = () => ({ backupId, volumes: { environmentId: 'env-1', awsAz: 'us-west-2a', ebsBlockDeviceMappings: [{ volumeNativeId: volume }] } });

  it('caller (default): never the gateway\'s token; without one, FORBIDDEN and nothing sent', async () => {
    const refused = await h.gql(RESTORE, { input: input() });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const task = await h.gql('{ clumioTask(taskId: "1") { taskId } }');
    expect(task.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(h.upstream()).toEqual([]);
  });

  it.each([
    ['gateway', {}, `Bearer ${DEFAULT_EMULATOR_TOKEN}`],
    ['gateway', OWN, 'Bearer alice'],
  ])('%s mode: the caller\'s token when it sends one, the gateway\'s otherwise', async (mode, headers, sent) => {
    const g = await startHarness({ sharedEmulator: h.emulator, env: { CLUMIO_RESTORES: mode } });
    try {
      h.resetUpstream();
      const response = await g.gql(RESTORE, { input: input() }, headers);
      expect(response.errors).toBeUndefined();
      expect(posts().map((p) => p.headers.authorization)).toEqual([sent]);
    } finally {
      await g.close();
    }
  });

  it('off: every restore and task read is FORBIDDEN, own token or not', async () => {
    const g = await startHarness({ sharedEmulator: h.emulator, env: { CLUMIO_RESTORES: 'off' } });
    try {
      h.resetUpstream();
      const restoreAnswer = await g.gql(RESTORE, { input: input() }, OWN);
      const taskAnswer = await g.gql('{ clumioTask(taskId: "1") { taskId } }', undefined, OWN);
      expect([restoreAnswer, taskAnswer].map((a) => a.errors?.[0]?.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(h.upstream()).toEqual([]);
    } finally {
      await g.close();
    }
  });
});
