import { serverAudits } from 'graphql-http';
import type { AuditResult } from 'graphql-http';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * GraphQL over HTTP conformance: graphql-http's server audits against the running gateway's
 * /graphql, over real sockets. Every MUST must pass; the SHOULD and MAY results are printed once.
 */

/**
 * The gateway runs yoga's CSRF prevention: a GET (which a browser may send cross-site without a
 * preflight) must carry one of the CSRF headers or it is refused with 403 before GraphQL sees it.
 * The audits send bare GETs, so this fetch adds `x-graphql-yoga-csrf` to GETs, as every non-browser
 * client of this gateway must (without it, the three MAY audits of GET requests fail with 403).
 * Every other request goes out exactly as the audit wrote it.
 */
const csrfAwareFetch: typeof fetch = (input, init) => {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (method !== 'GET') return fetch(input, init);
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.set('x-graphql-yoga-csrf', '1');
  return fetch(input, { ...init, headers });
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

it('passes every MUST audit of graphql-http, and reports the SHOULD and MAY results', async () => {
  const audits = serverAudits({ url: `${h.gateway.url}/graphql`, fetchFn: csrfAwareFetch });
  const results: AuditResult[] = [];
  // One at a time: the audits are independent, and the machine is shared.
  for (const audit of audits) results.push(await audit.fn());

  const levelOf = (result: AuditResult): string => result.name.split(' ')[0] ?? '';
  const describe = (result: AuditResult): string =>
    `[${result.status}] ${result.id} ${result.name}${'reason' in result ? `: ${result.reason}` : ''}`;
  const counts: Record<string, { passed: number; failed: number }> = {};
  for (const result of results) {
    const count = (counts[levelOf(result)] ??= { passed: 0, failed: 0 });
    if (result.status === 'ok') count.passed += 1;
    else count.failed += 1;
  }
  const notOk = results.filter((r) => r.status !== 'ok').map((r) => `  ${describe(r)}`);
  console.log(
    `GraphQL over HTTP audit (graphql-http serverAudits), ${results.length} audits: ${JSON.stringify(counts)}\n` +
      (notOk.length > 0 ? `not passed:\n${notOk.join('\n')}` : 'every MUST, SHOULD and MAY audit passed'),
  );

  expect(results).toHaveLength(audits.length);
  expect(counts.MUST?.passed).toBeGreaterThan(0);
  expect(results.filter((r) => levelOf(r) === 'MUST' && r.status !== 'ok').map(describe)).toEqual([]);
});
