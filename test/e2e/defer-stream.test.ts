import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * @defer and @stream (Yoga's defer-stream plugin) with a real client's multipart reader: a list
 * screen renders its rows first and each row's instance `latestBackup` arrives later, at the same
 * upstream cost as the query without @defer.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.resetUpstream());

const rows = (deferred: boolean) => `
  query Rows {
    ec2InstanceBackups(first: 8, orderBy: { field: START_TIMESTAMP, direction: ASC }) {
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

/** The upstream requests as a sorted multiset of `METHOD path?query`. */
const calls = (h: Harness): string[] => h.upstream().map((r) => `${r.method} ${r.path}?${new URLSearchParams(r.query).toString()}`).sort();

it('Apollo Client renders the rows first, then each instance\'s latest backup, at no extra upstream cost', async () => {
  const plain = await h.gql(rows(false));
  expect(plain.errors).toBeUndefined();
  const plainCalls = calls(h);
  expect(plainCalls.length).toBeGreaterThan(1);
  h.resetUpstream();

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
        if (result.dataState === 'complete') {
          subscription.unsubscribe();
          resolve();
        }
      },
      error: reject,
    });
  });

  // First the rows without latestBackup, then the complete list.
  expect(results.length).toBeGreaterThanOrEqual(2);
  const first = results[0];
  expect(first.dataState).toBe('streaming');
  expect(first.data.ec2InstanceBackups.nodes).toHaveLength(8);
  expect(first.data.ec2InstanceBackups.nodes.every((node: any) => node.instance.latestBackup === undefined)).toBe(true);
  const last = results[results.length - 1];
  const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === '__typename' ? undefined : v)));
  expect(strip(last.data)).toEqual(plain.data);
  // The same Clumio requests as without @defer: deferring changes when fields are sent, not what is read.
  expect(calls(h)).toEqual(plainCalls);
});

it('answers multipart/mixed with hasNext, increments at their paths, and hasNext: false last', async () => {
  const response = await fetch(`${h.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824, application/json' },
    body: JSON.stringify({ query: rows(true) }),
  });
  expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
  const parts = (await response.text())
    .split('\r\n---')
    .map((part) => part.slice(part.indexOf('{')))
    .filter((part) => part.startsWith('{'))
    .map((part) => JSON.parse(part.slice(0, part.lastIndexOf('}') + 1)));
  expect(parts[0].hasNext).toBe(true);
  expect(parts[0].data.ec2InstanceBackups.nodes).toHaveLength(8);
  expect(parts[parts.length - 1].hasNext).toBe(false);
  const increments = parts.flatMap((part) => part.incremental ?? []);
  expect(increments.map((increment: any) => increment.path)).toEqual(
    expect.arrayContaining(Array.from({ length: 8 }, (_, i) => ['ec2InstanceBackups', 'nodes', i, 'instance'])),
  );
  expect(increments.every((increment: any) => increment.label === 'latest' && increment.data.latestBackup.backupId)).toBe(true);
});

it('streams a list with @stream, the same items as without', async () => {
  const plain = await h.gql('{ ec2InstanceBackups(first: 5) { nodes { backupId } } }');
  const response = await fetch(`${h.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query: '{ ec2InstanceBackups(first: 5) { nodes @stream(initialCount: 2) { backupId } } }' }),
  });
  const text = await response.text();
  const parts = text
    .split('\r\n---')
    .map((part) => part.slice(part.indexOf('{')))
    .filter((part) => part.startsWith('{'))
    .map((part) => JSON.parse(part.slice(0, part.lastIndexOf('}') + 1)));
  expect(parts[0].data.ec2InstanceBackups.nodes).toHaveLength(2);
  const streamed = parts.flatMap((part) => (part.incremental ?? []).flatMap((increment: any) => increment.items));
  expect([...parts[0].data.ec2InstanceBackups.nodes, ...streamed]).toEqual(plain.data.ec2InstanceBackups.nodes);
});

it('publishes @defer and @stream in the schema clients generate from', async () => {
  const response = await h.gql('{ __schema { directives { name } } }');
  const names = response.data.__schema.directives.map((d: { name: string }) => d.name);
  expect(names.filter((name: string) => name === 'defer' || name === 'stream')).toEqual(['defer', 'stream']);
});
