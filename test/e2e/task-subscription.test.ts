import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-sse';
import type { Client, ExecutionResult } from 'graphql-sse';
import { DEFAULT_EMULATOR_TOKEN, ORGANIZATIONAL_UNITS, PRODUCTION_OU_ID, TASKS_MEDIA_TYPE } from '../../src/emulator';
import type { RecordedRequest } from '../../src/emulator';
import { expectNoErrors, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * The `clumioTask` subscription through a real SSE client (graphql-sse, distinct connections: the
 * mode Yoga serves) against the emulator's clock-driven tasks: the events from QUEUED to the end,
 * the polling rate Clumio sees, one poller per (caller, task), polling stopped when the last
 * subscriber leaves, and every way a stream ends (NOT_FOUND, FAILED, ABORTED, a failing poll,
 * restores switched off).
 *
 * Timings are short (a restore ends about 4.7 s after it was sent) and the gateway's poller runs on
 * its real clock, so most tests take a few seconds; the independent ones run at the same time.
 */

const TIMINGS = { queuedMs: 1_200, runningMs: 3_500, abortingMs: 2_000 };
const OU_HEADER = 'x-clumio-organizationalunit-context';

const RESTORE = `
  mutation Restore($input: RestoreEc2InstanceBackupInput!) {
    restoreEc2InstanceBackup(input: $input) { task { taskId status progressPercentage } }
  }`;
const FOLLOW = `
  subscription Follow($taskId: ID!) {
    clumioTask(taskId: $taskId) { id taskId status progressPercentage category }
  }`;

interface TaskEvent {
  id: string;
  taskId: string;
  status: string | null;
  progressPercentage: number | null;
  category: string | null;
}
type FollowResult = ExecutionResult<{ clumioTask: TaskEvent }, unknown>;
interface Followed {
  results: FollowResult[];
  events: TaskEvent[];
  startedAt: number;
  endedAt: number;
}
interface Backup {
  backupId: string;
  accountNativeId: string | null;
  volume: string;
}

let h: Harness;
let backups: Backup[];
/** When each request reached the emulator (RecordedRequest has no time of its own). */
const arrivedAt = new Map<RecordedRequest, number>();
let stopTiming: () => void;

beforeAll(async () => {
  h = await startHarness({ emulator: { taskTimings: TIMINGS }, env: { CLUMIO_RESTORES: 'gateway' } });
  stopTiming = h.emulator.onRequestOpened(() => {
    const request = h.emulator.requests.at(-1);
    if (request) arrivedAt.set(request, Date.now());
  });
  const page = await h.gql('{ ec2InstanceBackups(first: 100) { nodes { backupId accountNativeId attachedBackupEbsVolumes { volumeNativeId } } } }');
  expectNoErrors(page, h);
  backups = (page.data.ec2InstanceBackups.nodes as Array<{ backupId: string; accountNativeId: string | null; attachedBackupEbsVolumes: Array<{ volumeNativeId: string | null }> | null }>).flatMap(
    (node) => {
      const volume = node.attachedBackupEbsVolumes?.find((v) => v.volumeNativeId)?.volumeNativeId;
      return volume ? [{ backupId: node.backupId, accountNativeId: node.accountNativeId, volume }] : [];
    },
  );
});
afterAll(async () => {
  stopTiming();
  await h.close();
});
afterEach(() => h.emulator.clearFaults());

// ---------------------------------------------------------------------------------------------
// Helpers

const succeeding = (): Backup[] => backups.filter((b) => !b.backupId.endsWith('f'));

function failingBackup(): Backup {
  const listed = backups.find((b) => b.backupId.endsWith('f'));
  if (listed) return listed;
  // None in the first page: add one (the emulator fails restores of backup ids ending in "f").
  const template = h.emulator.backups[0]!;
  const inserted = h.emulator.insertBackup({ id: `${randomUUID().slice(0, -1)}f`, start_timestamp: new Date().toISOString(), instance_id: template.instance_id });
  const volume = inserted.attached_backup_ebs_volumes?.find((v) => v.volume_native_id)?.volume_native_id;
  if (!volume) throw new Error(`the inserted backup has no volume: ${JSON.stringify(inserted)}`);
  return { backupId: inserted.id!, accountNativeId: inserted.account_native_id ?? null, volume };
}

/** Starts a restore of `backup` as free volumes, with the gateway's token; answers the task id. */
async function restore(backup: Backup): Promise<string> {
  const input = { backupId: backup.backupId, volumes: { awsAz: 'us-west-2a', environmentId: 'env-1', ebsBlockDeviceMappings: [{ volumeNativeId: backup.volume }] } };
  const response = await h.gql(RESTORE, { input });
  expectNoErrors(response, h);
  const task = response.data.restoreEc2InstanceBackup.task as { taskId: string; status: string };
  expect(task.status).toBe('QUEUED');
  return task.taskId;
}

function sseClient(headers: Record<string, string> = {}, gateway: Harness = h): Client {
  // retryAttempts 0: a refused or broken stream is reported, never silently reconnected.
  return createClient({ url: `${gateway.gateway.url}/graphql`, singleConnection: false, retryAttempts: 0, headers });
}

/** Subscribes and reads the stream to its end (or until `stop` says so, leaving then). */
async function follow(taskId: string, options: { headers?: Record<string, string>; stop?: (event: TaskEvent) => boolean; gateway?: Harness } = {}): Promise<Followed> {
  const client = sseClient(options.headers, options.gateway);
  const results: FollowResult[] = [];
  const startedAt = Date.now();
  try {
    for await (const result of client.iterate<{ clumioTask: TaskEvent }>({ query: FOLLOW, variables: { taskId } })) {
      results.push(result);
      const event = result.data?.clumioTask;
      if (event && options.stop?.(event) === true) break;
    }
  } finally {
    client.dispose();
  }
  const events = results.flatMap((r) => (r.data?.clumioTask ? [r.data.clumioTask] : []));
  return { results, events, startedAt, endedAt: Date.now() };
}

/** The GETs of one task Clumio received; with `from`, only those sent in that OU (`ou: undefined`: no OU header). */
function taskGets(taskId: string, from?: { ou: string | undefined }): RecordedRequest[] {
  return h.emulator.requests.filter(
    (r) => r.method === 'GET' && r.path === `/tasks/${taskId}` && (from === undefined || r.headers[OU_HEADER] === from.ou),
  );
}

function gaps(requests: RecordedRequest[]): number[] {
  const times = requests.map((r) => arrivedAt.get(r)!);
  return times.slice(1).map((t, i) => t - times[i]!);
}

/** Resolves when the next GET of the task reaches the emulator. */
function nextGet(taskId: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = h.emulator.onRequestOpened(() => {
      const request = h.emulator.requests.at(-1);
      if (request?.method === 'GET' && request.path === `/tasks/${taskId}`) {
        stop();
        resolve();
      }
    });
  });
}

/** Only observes that nothing happens meanwhile; no test orders anything by it. */
const observeFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const states = (events: TaskEvent[]): string[] => events.map((e) => `${e.status}:${e.progressPercentage}`);

/** First QUEUED, then only changes, in the tasks' order, the last one final: the contract's stream. */
function expectProgressStream(followed: Followed, taskId: string, final: 'COMPLETED' | 'FAILED' | 'ABORTED'): void {
  const { events, results } = followed;
  const context = `events: ${JSON.stringify(results)}`;
  expect(results.filter((r) => r.errors)).toEqual([]);
  expect(events.length).toBeGreaterThanOrEqual(2);
  for (const event of events) expect(event).toMatchObject({ taskId, category: 'restore' });
  expect({ first: events[0]!.status, context }).toEqual({ first: 'QUEUED', context });
  const seen = states(events);
  for (let i = 1; i < seen.length; i += 1) {
    if (seen[i] === seen[i - 1]) throw new Error(`two identical events in a row (${seen[i]}): ${seen.join(', ')}`);
  }
  const order = ['QUEUED', 'IN_PROGRESS', 'ABORTING', final];
  const ranks = events.map((e) => order.indexOf(e.status ?? ''));
  expect({ ranks: ranks.every((rank, i) => rank >= 0 && (i === 0 || rank >= ranks[i - 1]!)), seen }).toEqual({ ranks: true, seen });
  expect(events.slice(0, -1).map((e) => e.status)).not.toContain(final);
  expect(events.at(-1)!.status).toBe(final);
}

// ---------------------------------------------------------------------------------------------

describe('a restore followed to its end', () => {
  let followed: { solo: Followed; pair: [Followed, Followed]; global: Followed; production: Followed };
  let ids: { solo: string; pair: string; callers: string };

  beforeAll(async () => {
    const productionAccounts = ORGANIZATIONAL_UNITS.find((ou) => ou.id === PRODUCTION_OU_ID)!.accountNativeIds!;
    const inProduction = succeeding().find((b) => b.accountNativeId !== null && productionAccounts.includes(b.accountNativeId));
    const [soloBackup, pairBackup] = succeeding();
    if (!inProduction || !soloBackup || !pairBackup) throw new Error(`not enough backups with volumes: ${JSON.stringify(backups)}`);
    // Three restores run at once: the same clock for all, so their poll counts compare.
    ids = { solo: await restore(soloBackup), pair: await restore(pairBackup), callers: await restore(inProduction) };
    const [solo, first, second, global, production] = await Promise.all([
      follow(ids.solo),
      follow(ids.pair),
      follow(ids.pair),
      follow(ids.callers),
      follow(ids.callers, { headers: { [OU_HEADER]: PRODUCTION_OU_ID } }),
    ]);
    followed = { solo, pair: [first, second], global, production };
  });

  it('streams QUEUED first, then only changes, ends with COMPLETED at 100 and completes', () => {
    expectProgressStream(followed.solo, ids.solo, 'COMPLETED');
    expect(followed.solo.events.at(-1)).toMatchObject({ status: 'COMPLETED', progressPercentage: 100 });
    expect(followed.solo.events.some((e) => e.status === 'IN_PROGRESS')).toBe(true);
    // The stream ended by itself (for-await finished without a stop), about when the task did.
    expect(followed.solo.endedAt - followed.solo.startedAt).toBeLessThan(TIMINGS.queuedMs + TIMINGS.runningMs + 3_000);
  });

  it('polls Clumio at most once a second and at least every 5 s, and not after the end', () => {
    const gets = taskGets(ids.solo);
    const elapsedSeconds = (followed.solo.endedAt - followed.solo.startedAt) / 1000;
    const between = gaps(gets);
    const context = { gets: gets.length, elapsedSeconds, between };
    expect(gets.length).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 2);
    expect(gets.length).toBeGreaterThanOrEqual(Math.floor(elapsedSeconds / 5) + 1);
    expect({ ...context, tooClose: between.filter((ms) => ms < 900) }).toEqual({ ...context, tooClose: [] });
    expect({ ...context, tooFar: between.filter((ms) => ms > 5_100) }).toEqual({ ...context, tooFar: [] });
    // The last read saw COMPLETED: nothing was read after it.
    const last = gets.at(-1)!;
    expect(arrivedAt.get(last)!).toBeLessThanOrEqual(followed.solo.endedAt);
  });

  it('shares one poller between two subscribers of the same caller', () => {
    const [first, second] = followed.pair;
    expectProgressStream(first, ids.pair, 'COMPLETED');
    expect(states(second.events)).toEqual(states(first.events));
    const solo = taskGets(ids.solo).length;
    const pair = taskGets(ids.pair).length;
    // Not double: the same count as one subscriber's, give or take the phase of one read.
    expect({ solo, pair, close: Math.abs(pair - solo) <= 1 }).toEqual({ solo, pair, close: true });
    expect(gaps(taskGets(ids.pair)).filter((ms) => ms < 900)).toEqual([]);
  });

  it('polls separately for different callers (another organizational unit)', () => {
    expectProgressStream(followed.global, ids.callers, 'COMPLETED');
    expectProgressStream(followed.production, ids.callers, 'COMPLETED');
    const solo = taskGets(ids.solo).length;
    const global = taskGets(ids.callers, { ou: undefined });
    const production = taskGets(ids.callers, { ou: PRODUCTION_OU_ID });
    const counts = { solo, global: global.length, production: production.length };
    expect({ ...counts, each: Math.abs(counts.global - solo) <= 1 && Math.abs(counts.production - solo) <= 1 }).toEqual({ ...counts, each: true });
    // Each caller's poller keeps its own rate.
    expect([...gaps(global), ...gaps(production)].filter((ms) => ms < 900)).toEqual([]);
    for (const request of [...global, ...production]) expect(request.headers.authorization).toBe(`Bearer ${DEFAULT_EMULATOR_TOKEN}`);
  });
});

it('stops polling when the last subscriber leaves', async () => {
  const taskId = await restore(succeeding()[3]!);
  // Two subscribers: one leaves through the iterator's return() (a `break`), the other by dispose().
  const staying = sseClient();
  const stayingEvents: FollowResult[] = [];
  let firstOfStaying!: () => void;
  const stayingStarted = new Promise<void>((resolve) => (firstOfStaying = resolve));
  let stayingDone!: () => void;
  const stayingEnded = new Promise<void>((resolve) => (stayingDone = resolve));
  const dispose = staying.subscribe<{ clumioTask: TaskEvent }>(
    { query: FOLLOW, variables: { taskId } },
    {
      next: (result) => {
        stayingEvents.push(result);
        firstOfStaying();
      },
      error: (error: unknown) => {
        stayingEvents.push({ errors: [{ message: String(error) }] } as unknown as FollowResult);
        stayingDone();
      },
      complete: () => stayingDone(),
    },
  );
  const leaving = await follow(taskId, { stop: () => true });
  expect(leaving.events.map((e) => e.status)).toEqual(['QUEUED']);
  await stayingStarted;

  // One left, one is still there: the polling goes on.
  const before = taskGets(taskId).length;
  await nextGet(taskId);
  expect(taskGets(taskId).length).toBe(before + 1);

  dispose();
  await stayingEnded;
  const leftAt = Date.now();
  const readsSoFar = taskGets(taskId).length;
  await observeFor(2_500);
  const after = taskGets(taskId).filter((r) => arrivedAt.get(r)! > leftAt);
  expect({ after: after.length, total: taskGets(taskId).length }).toEqual({ after: 0, total: readsSoFar });
  // Not because the task had ended: it still runs, nobody follows it.
  expect(['queued', 'in_progress']).toContain(h.emulator.tasks.find((t) => t.task.id === taskId)!.task.status);
  expect(stayingEvents.filter((r) => r.errors)).toEqual([]);
  staying.dispose();
});

it('answers an unknown task with one NOT_FOUND error, then the end, after at most one read', async () => {
  const taskId = '987654321';
  const followed = await follow(taskId);
  expect(followed.results).toHaveLength(1);
  expect(followed.results[0]!.data ?? null).toBeNull();
  expect(followed.results[0]!.errors).toHaveLength(1);
  expect(followed.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
  expect(taskGets(taskId).length).toBeLessThanOrEqual(1);
});

it('puts the request id on an error inside the stream, as on every error', async () => {
  const followed = await follow('987654322');
  expect(followed.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', requestId: expect.any(String) });
});

it('ends a failed restore with FAILED', async () => {
  const taskId = await restore(failingBackup());
  const followed = await follow(taskId);
  expectProgressStream(followed, taskId, 'FAILED');
  // The emulator fails a restore 60 % of the way through its run.
  expect(followed.events.at(-1)!.progressPercentage).toBe(60);
});

it('goes on through ABORTING to ABORTED when the task is aborted', async () => {
  const taskId = await restore(succeeding()[4]!);
  let aborted: Promise<Response> | undefined;
  const followed = await follow(taskId, {
    stop: () => {
      // On the first event (QUEUED), abort straight at the emulator, as another Clumio client would.
      aborted ??= fetch(`${h.emulator.url}/tasks/${taskId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${DEFAULT_EMULATOR_TOKEN}`, accept: TASKS_MEDIA_TYPE, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'aborting' }),
      });
      return false;
    },
  });
  const answer = await aborted!;
  expect(answer.status).toBe(200);
  expectProgressStream(followed, taskId, 'ABORTED');
  expect(followed.events.map((e) => e.status)).toContain('ABORTING');
  // ABORTING was not the end: the stream went on after it.
  const aborting = followed.events.findIndex((e) => e.status === 'ABORTING');
  expect(followed.events.slice(aborting + 1).map((e) => e.status)).toEqual(['ABORTED']);
});

describe('a poll that still fails after the retries', () => {
  it.each<[string, { status: number } | { destroySocket: true }]>([
    ['Clumio answers 503', { status: 503 }],
    ['the connection is reset', { destroySocket: true }],
  ])('%s: one error with its code, then the end', async (_case, fault) => {
    const taskId = await restore(succeeding()[5]!);
    let injected = false;
    const followed = await follow(taskId, {
      stop: () => {
        // After the first event: every attempt of the next poll fails (3, CLUMIO_RETRY_ATTEMPTS' default).
        if (!injected) h.emulator.injectFault({ match: (r) => r.method === 'GET' && r.path === `/tasks/${taskId}`, times: 3, ...fault });
        injected = true;
        return false;
      },
    });
    const errors = followed.results.filter((r) => r.errors);
    expect(followed.events.map((e) => e.status)).toEqual(['QUEUED']);
    expect(errors).toHaveLength(1);
    expect(followed.results.at(-1)).toBe(errors[0]);
    expect(errors[0]!.errors).toHaveLength(1);
    expect(errors[0]!.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR' });
    // The first read, then the failing poll's three attempts, and nothing after the error.
    const gets = taskGets(taskId);
    expect(gets.map((r) => r.status)).toEqual([200, ...Array<number>(3).fill('status' in fault ? 503 : 0)]);
    const failedAt = Date.now();
    await observeFor(1_500);
    expect(taskGets(taskId).filter((r) => arrivedAt.get(r)! > failedAt)).toEqual([]);
  });
});

it('CLUMIO_RESTORES=off: one FORBIDDEN error and nothing read', async () => {
  const off = await startHarness({ emulator: { taskTimings: TIMINGS }, env: { CLUMIO_RESTORES: 'off' } });
  try {
    const followed = await follow('1', { gateway: off, headers: { authorization: `Bearer ${DEFAULT_EMULATOR_TOKEN}` } });
    expect(followed.results).toHaveLength(1);
    expect(followed.results[0]!.errors).toHaveLength(1);
    expect(followed.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(off.upstream()).toEqual([]);
  } finally {
    await off.close();
  }
});
