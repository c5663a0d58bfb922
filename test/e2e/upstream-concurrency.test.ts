import { EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import type { EmulatorFault } from '../../src/emulator';
import { startHarness, listCalls, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * CLUMIO_MAX_CONCURRENCY bounds the requests in flight at Clumio, whatever asks for them. The
 * emulator holds every answer until `bound` requests are open at once. The loaders hand a whole
 * batch to the client in one tick, before any request can reach the emulator, so at that moment the
 * rest of the batch is either waiting in the client's queue (the limit works) or on its way (it
 * does not, and the peak passes the bound). No timing is involved either way.
 */

interface Hold {
  /** Resolves once `bound` requests are open at once. */
  reached: Promise<void>;
  /** Requests the gateway kept waiting when the bound was reached. */
  queuedAtBound(): number;
  /** Most requests open at the emulator at once. */
  peak(): number;
  /** Lets every held request (and every later one) be answered. */
  release(): void;
  /** Releases and stops observing. */
  stop(): void;
}

/** Holds the matching upstream requests until released. */
function holdUpstream(h: Harness, bound: number, match: NonNullable<EmulatorFault['match']> = () => true): Hold {
  let peak = 0;
  let queued = -1;
  let reachedBound!: () => void;
  const reached = new Promise<void>((resolve) => (reachedBound = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const stop = h.emulator.onRequestOpened((open) => {
    peak = Math.max(peak, open);
    if (open >= bound && queued === -1) {
      queued = h.gateway.client.concurrency.queued;
      reachedBound();
    }
  });
  h.emulator.injectFault({ until: released, times: Infinity, match });
  const done = (): void => {
    release();
    stop();
  };
  return { reached, queuedAtBound: () => queued, peak: () => peak, release, stop: done };
}

const backupReads = (h: Harness) => h.upstream().filter((r) => r.path.startsWith(`${EC2_BACKUPS_PATH}/`));

describe.each([
  { setting: 'CLUMIO_MAX_CONCURRENCY unset (default 32)', env: {}, bound: 32, distinct: 40 },
  { setting: 'CLUMIO_MAX_CONCURRENCY=4', env: { CLUMIO_MAX_CONCURRENCY: '4' }, bound: 4, distinct: 12 },
])('with $setting', ({ env, bound, distinct }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.resetUpstream();
    h.emulator.clearFaults();
  });

  it(`has at most ${bound} entity reads open at once for 100 representations of ${distinct} backups`, async () => {
    const ids = h.emulator.backups.slice(0, distinct).map((b) => b.id!);
    const representations = Array.from({ length: 100 }, (_, i) => ({ __typename: 'Ec2InstanceBackup', backupId: ids[i % distinct] }));
    const held = holdUpstream(h, bound);
    try {
      const pending = h.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Ec2InstanceBackup { backupId } } }', {
        r: representations,
      });
      await held.reached;
      expect(held.queuedAtBound()).toBe(distinct - bound);
      held.release();
      const response = await pending;
      expectNoErrors(response, h);
      expect(response.data._entities.map((e: any) => e.backupId)).toEqual(representations.map((r) => r.backupId));
      expect(held.peak()).toBe(bound);
      expect(backupReads(h)).toHaveLength(distinct);
    } finally {
      held.stop();
    }
  });

  it(`has at most ${bound} list pages open at once for the latest backups of many instances`, async () => {
    // Every backup on a page of 100 asks for its instance's latest backup: one list per instance.
    // The page is answered at once; the instances' lists are held.
    const held = holdUpstream(h, bound, (request) => request.query.filter !== undefined);
    try {
      const pending = h.gql('{ ec2InstanceBackups(first: 100) { nodes { instance { latestBackup { backupId } } } } }');
      await held.reached;
      const queued = held.queuedAtBound();
      held.release();
      const response = await pending;
      expectNoErrors(response, h);
      const instances = new Set(response.data.ec2InstanceBackups.nodes.map((n: any) => n.instance.latestBackup.backupId));
      expect(instances.size).toBeGreaterThan(bound);
      expect(listCalls(h.upstream())).toHaveLength(1 + instances.size);
      expect(queued).toBe(instances.size - bound);
      expect(held.peak()).toBe(bound);
    } finally {
      held.stop();
    }
  });
});
