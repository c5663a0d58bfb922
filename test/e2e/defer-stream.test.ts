import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import type { RecordedRequest } from '../../src/emulator';
import { createLogger } from '../../src/telemetry/logger';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * @defer and @stream (Yoga's defer-stream plugin) with a real client's multipart reader: a list
 * screen renders its rows first and each row's instance `latestBackup` arrives later, at the same
 * upstream cost as the query without @defer. The emulator holds the deferred reads until the test
 * has seen the first payload, so "first" is proven, not timed. The operation's log line and metrics
 * cover every payload; the query limits and the response cache treat a deferred query as they should.
 */

const rows = (deferred: boolean, first = 8) => `
  query Rows {
    ec2InstanceBackups(first: ${first}, orderBy: { field: START_TIMESTAMP, direction: ASC }) {
      nodes {
        id
        backupId
        instance {
          id
          instanceId
          ${deferred ? '... @defer(label: "latest") { latestBackup { id backupId startTimestamp } }' : 'latestBackup { id backupId startTimestamp }'}
        }
      }
    }
  }`;

/** An instance's latestBackup read (the row list itself has no filter). */
const isLatestBackupRead = (request: { path: string; query: Record<string, string> }): boolean =>
  request.path === '/backups/aws/ec2-instances' && request.query.filter !== undefined;

/** The upstream requests as a sorted multiset of `METHOD path?query`. */
const callsOf = (requests: RecordedRequest[]): string[] =>
  requests.map((r) => `${r.method} ${r.path}?${new URLSearchParams(r.query).toString()}`).sort();

/** A promise the test settles when it is ready: the emulator answers held requests then. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * Holds the next `times` latestBackup reads in the emulator until `release()`; `arrived` settles once
 * all of them reached it.
 */
function holdLatestBackupReads(h: Harness, times: number): { arrived: Promise<void>; release: () => void } {
  const released = gate();
  const arrived = gate();
  let count = 0;
  h.emulator.injectFault({
    match: (request) => {
      if (!isLatestBackupRead(request)) return false;
      if (++count === times) arrived.open();
      return true;
    },
    times,
    until: released.opened,
  });
  return { arrived: arrived.opened, release: released.open };
}

/** Log lines as they are written, with a way to wait for an operation's line without a timer. */
function watchedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  let written: () => void = () => undefined;
  const logger = createLogger('info', {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      written();
    },
  });
  const requestLines = (requestId: string) => lines.filter((line) => line.msg === 'graphql request' && line.requestId === requestId);
  return {
    logger,
    requestLines,
    async lineOf(requestId: string): Promise<Record<string, unknown>> {
      while (requestLines(requestId).length === 0) await new Promise<void>((resolve) => (written = resolve));
      return requestLines(requestId)[0]!;
    },
  };
}

/** The JSON parts of a `multipart/mixed; boundary="-"` body, each as soon as it has arrived. */
async function* multipartParts(response: Response): AsyncGenerator<any> {
  expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  let started = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    rest += decoder.decode(value, { stream: true });
    if (!started) {
      if (rest.length < 5) continue;
      expect(rest.startsWith('\r\n---')).toBe(true);
      rest = rest.slice(5);
      started = true;
    }
    // Each part is "\r\n<headers>\r\n\r\n<json>\r\n---"; "--\r\n" after the last boundary closes the body.
    for (let end = rest.indexOf('\r\n---', 2); end !== -1; end = rest.indexOf('\r\n---', 2)) {
      const part = rest.slice(0, end);
      rest = rest.slice(end + 5);
      yield JSON.parse(part.slice(part.indexOf('\r\n\r\n') + 4));
    }
    if (rest.startsWith('--')) return;
  }
}

const postMultipart = (h: Harness, query: string, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}) =>
  fetch(`${h.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824, application/json', ...init.headers },
    body: JSON.stringify({ query }),
    ...(init.signal ? { signal: init.signal } : {}),
  });

async function metricsText(h: Harness): Promise<string> {
  return (await fetch(`${h.gateway.url}/metrics`)).text();
}
const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

describe('@defer and @stream', () => {
  let h: Harness;
  let log: ReturnType<typeof watchedLogger>;
  /** Upstream requests and the data of the query without @defer. */
  let plain: { calls: string[]; latestReads: number; data: unknown };

  beforeAll(async () => {
    log = watchedLogger();
    h = await startHarness({ logger: log.logger, env: { LOG_LEVEL: 'info' } });
    h.resetUpstream();
    const response = await h.gql(rows(false));
    expect(response.errors).toBeUndefined();
    plain = { calls: callsOf(h.upstream()), latestReads: h.upstream().filter(isLatestBackupRead).length, data: response.data };
    expect(plain.latestReads).toBeGreaterThan(1);
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetUpstream());

  it("Apollo Client renders the rows first, then each instance's latest backup, at no extra upstream cost", async () => {
    const held = holdLatestBackupReads(h, plain.latestReads);
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new HttpLink({ uri: `${h.gateway.url}/graphql` }),
      incrementalHandler: new Defer20220824Handler(),
    });
    const results: any[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = client.watchQuery({ query: gql(rows(true)), fetchPolicy: 'network-only' }).subscribe({
        next: (result) => {
          if (result.loading && !result.data) return;
          results.push(result);
          // The rows are on screen while Clumio still holds every latestBackup read.
          if (results.length === 1) held.release();
          if (result.dataState === 'complete') {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });

    expect(results.length).toBeGreaterThanOrEqual(2);
    const first = results[0];
    expect(first.dataState).toBe('streaming');
    expect(first.data.ec2InstanceBackups.nodes).toHaveLength(8);
    expect(first.data.ec2InstanceBackups.nodes.every((node: any) => node.instance.id && node.instance.latestBackup === undefined)).toBe(true);
    const last = results[results.length - 1];
    const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === '__typename' ? undefined : v)));
    expect(strip(last.data)).toEqual(plain.data);
    // The same Clumio requests as without @defer: deferring changes when fields are sent, not what is read.
    expect(callsOf(h.upstream())).toEqual(plain.calls);
  });

  it('answers multipart/mixed: hasNext, then increments at their paths, hasNext: false last; logged once, after the last', async () => {
    const held = holdLatestBackupReads(h, plain.latestReads);
    const requestId = 'defer-multipart-1';
    const before = await metricsText(h);
    const parts = multipartParts(await postMultipart(h, rows(true), { headers: { 'x-request-id': requestId } }));

    const initial = (await parts.next()).value;
    expect(initial.hasNext).toBe(true);
    expect(initial.data.ec2InstanceBackups.nodes).toHaveLength(8);
    for (const node of initial.data.ec2InstanceBackups.nodes) expect(Object.keys(node.instance).sort()).toEqual(['id', 'instanceId']);
    // Not finished while payloads are still to come: no log line yet.
    expect(log.requestLines(requestId)).toEqual([]);
    held.release();

    const later: any[] = [];
    for await (const part of parts) later.push(part);
    expect(later.length).toBeGreaterThanOrEqual(1);
    expect(later.slice(0, -1).every((part) => part.hasNext === true)).toBe(true);
    expect(later[later.length - 1].hasNext).toBe(false);
    const increments = later.flatMap((part) => part.incremental ?? []);
    expect(increments.map((increment: any) => increment.path)).toEqual(
      expect.arrayContaining(Array.from({ length: 8 }, (_, i) => ['ec2InstanceBackups', 'nodes', i, 'instance'])),
    );
    expect(increments).toHaveLength(8);
    expect(increments.every((increment: any) => increment.label === 'latest' && increment.data.latestBackup.backupId && !increment.errors)).toBe(true);

    // One line for the whole operation, with every upstream call of every payload.
    const upstreamCalls = h.upstream().length;
    expect(callsOf(h.upstream())).toEqual(plain.calls);
    expect(log.requestLines(requestId)).toEqual([
      expect.objectContaining({ level: 'info', operationName: 'Rows', operationType: 'query', status: 200, upstreamCalls, errorCodes: [] }),
    ]);
    const after = await metricsText(h);
    const ok = 'graphql_gateway_operations_total{operation_name="Rows",operation_type="query",outcome="ok"}';
    expect(sample(after, ok) - sample(before, ok)).toBe(1);
    const calls = 'graphql_gateway_operation_upstream_calls_sum{operation_type="query"}';
    expect(sample(after, calls) - sample(before, calls)).toBe(upstreamCalls);
  });

  it('an error in a deferred payload carries its code and the request id, and is in the log line and metrics', async () => {
    // 403, not a 5xx: eight 5xx in a row would open the circuit breaker for the tests after this one.
    h.emulator.injectFault({ match: isLatestBackupRead, times: plain.latestReads, status: 403 });
    const requestId = 'defer-errors-1';
    const before = await metricsText(h);
    const parts: any[] = [];
    for await (const part of multipartParts(await postMultipart(h, rows(true), { headers: { 'x-request-id': requestId } }))) parts.push(part);

    expect(parts[0].errors).toBeUndefined();
    const errors = parts.flatMap((part) => (part.incremental ?? []).flatMap((increment: any) => increment.errors ?? []));
    expect(errors).toHaveLength(8);
    for (const error of errors) expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', requestId });
    expect((await log.lineOf(requestId)).errorCodes).toEqual(Array.from({ length: 8 }, () => 'FORBIDDEN'));
    expect(log.requestLines(requestId)).toHaveLength(1);
    const failed = 'graphql_gateway_operations_total{operation_name="Rows",operation_type="query",outcome="FORBIDDEN"}';
    expect(sample(await metricsText(h), failed) - sample(before, failed)).toBe(1);
  });

  it('logs the operation once when the client leaves before the last payload', async () => {
    const held = holdLatestBackupReads(h, plain.latestReads);
    const requestId = 'defer-left-1';
    const leave = new AbortController();
    const parts = multipartParts(await postMultipart(h, rows(true), { headers: { 'x-request-id': requestId }, signal: leave.signal }));
    expect((await parts.next()).value.hasNext).toBe(true);
    await held.arrived;
    leave.abort();
    // Clumio still holds the deferred reads: the line comes from the client leaving, not the stream ending.
    const line = await log.lineOf(requestId);
    held.release();
    expect(line).toMatchObject({ operationName: 'Rows', operationType: 'query', status: 200 });
    expect(line.upstreamCalls).toBe(1 + plain.latestReads);
    expect(log.requestLines(requestId)).toHaveLength(1);
  });

  it.each([
    ['nodes', 'nodes { backupId }'],
    ['edges', 'edges { cursor node { backupId } }'],
  ])('streams a connection\'s %s with @stream: the first items, then the rest, the same items as without', async (list, selection) => {
    const without = await h.gql(`{ ec2InstanceBackups(first: 5) { ${selection} } }`);
    const streamedQuery = `{ ec2InstanceBackups(first: 5) { ${selection.replace(list, `${list} @stream(initialCount: 2)`)} } }`;
    const parts: any[] = [];
    for await (const part of multipartParts(await postMultipart(h, streamedQuery))) parts.push(part);
    expect(parts[0].hasNext).toBe(true);
    expect(parts[0].data.ec2InstanceBackups[list]).toHaveLength(2);
    expect(parts[parts.length - 1].hasNext).toBe(false);
    const streamed = parts.flatMap((part) => (part.incremental ?? []).flatMap((increment: any) => increment.items));
    expect(streamed).toHaveLength(3);
    expect([...parts[0].data.ec2InstanceBackups[list], ...streamed]).toEqual(without.data.ec2InstanceBackups[list]);
  });

  it('publishes @defer and @stream in the schema clients generate from, once each', async () => {
    const response = await h.gql('{ __schema { directives { name args { name } } } }');
    const directives = response.data.__schema.directives.filter((d: { name: string }) => d.name === 'defer' || d.name === 'stream');
    expect(directives).toEqual([
      { name: 'defer', args: [{ name: 'if' }, { name: 'label' }] },
      { name: 'stream', args: [{ name: 'if' }, { name: 'label' }, { name: 'initialCount' }] },
    ]);
  });
});

describe('@defer with the query limits', () => {
  let h: Harness;
  // Rows(first: 8) costs 32: 8 rows, 8 nodes, 8 instances, 8 latest backups.
  beforeAll(async () => (h = await startHarness({ env: { QUERY_MAX_COST: '31' } })));
  afterAll(() => h.close());

  it('counts a deferred fragment like any other: the same cost, refused before any upstream call', async () => {
    h.resetUpstream();
    const deferred = await h.gql(rows(true));
    const undeferred = await h.gql(rows(false));
    expect(deferred.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }) })]);
    expect(deferred.errors![0]!.message).toMatch(/^Operation cost 32 exceeds the limit of 31/);
    expect(deferred.errors![0]!.message).toBe(undeferred.errors![0]!.message);
    expect(h.upstream()).toEqual([]);
  });
});

describe('@defer with the response cache on', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness({ env: { RESPONSE_CACHE_TTL_MS: '60000' } })));
  afterAll(() => h.close());
  beforeEach(() => h.resetUpstream());

  it('never caches an incremental result: each deferred query is streamed and reads Clumio again', async () => {
    // The cache is on: the same query without @defer is answered from it the second time.
    await h.gql(rows(false, 3));
    const cold = h.upstream().length;
    expect(cold).toBeGreaterThan(1);
    await h.gql(rows(false, 3));
    expect(h.upstream()).toHaveLength(cold);

    h.resetUpstream();
    for (let run = 0; run < 2; run++) {
      const parts: any[] = [];
      for await (const part of multipartParts(await postMultipart(h, rows(true, 3)))) parts.push(part);
      expect(parts[0].hasNext).toBe(true);
      expect(parts.flatMap((part) => part.incremental ?? [])).toHaveLength(3);
    }
    expect(h.upstream()).toHaveLength(2 * cold);
  });
});
