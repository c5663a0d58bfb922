import { PAYMENTS_OU_ID, RESEARCH_OU_ID } from '../../src/emulator';
import { startHarness, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * With no CLUMIO_API_TOKEN each caller's own token goes upstream, and nothing loaded for one
 * caller (credential or organizational unit) is served to another, even when their identical
 * operations run at the same moment.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ emulator: { tokens: ['alice-token', 'bob-token'] }, env: { CLUMIO_API_TOKEN: '', LOG_LEVEL: 'debug' } });
});
afterAll(() => h.close());
beforeEach(() => h.resetUpstream());

const TOTAL = '{ ec2InstanceBackups(first: 3) { totalCount nodes { backupId accountNativeId } } }';

it('keeps concurrent identical operations of different callers apart', async () => {
  const [alice, bob, carol] = await Promise.all([
    h.gql(TOTAL, undefined, { authorization: 'Bearer alice-token', 'x-clumio-organizationalunit-context': PAYMENTS_OU_ID }),
    h.gql(TOTAL, undefined, { authorization: 'Bearer bob-token', 'x-clumio-organizationalunit-context': RESEARCH_OU_ID }),
    h.gql(TOTAL, undefined, { authorization: 'Bearer mallory-token' }),
  ]);
  expectNoErrors(alice, h);
  expectNoErrors(bob, h);
  expect(alice.data.ec2InstanceBackups.totalCount).not.toBe(bob.data.ec2InstanceBackups.totalCount);
  expect(carol.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
  expect(carol.data).toEqual({ ec2InstanceBackups: { totalCount: null, nodes: null } });

  const seen = h.upstream().map((r) => [r.headers.authorization, r.headers['x-clumio-organizationalunit-context']]);
  expect(seen).toHaveLength(3);
  expect(seen).toEqual(
    expect.arrayContaining([
      ['Bearer alice-token', PAYMENTS_OU_ID],
      ['Bearer bob-token', RESEARCH_OU_ID],
      ['Bearer mallory-token', undefined],
    ]),
  );
});

it('writes no token into responses or logs', async () => {
  const written: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  // Kept to be put back exactly as they were.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originals = methods.map((m) => console[m]);
  methods.forEach((m) => {
    console[m] = (...args: unknown[]) => {
      written.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
  });
  try {
    const secret = 'secret-token-that-must-not-leak';
    const response = await h.gql(TOTAL, undefined, { authorization: `Bearer ${secret}` });
    expect(response.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(response)).not.toContain(secret);
    expect(written.join('\n')).not.toContain(secret);
    expect(written.join('\n')).not.toContain('alice-token');
  } finally {
    methods.forEach((m, i) => (console[m] = originals[i]!));
  }
});
