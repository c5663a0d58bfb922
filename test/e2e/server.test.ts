import { request as httpRequest } from 'node:http';
import { parseConfig } from '../../src/config';
import { startGateway } from '../../src/server';
import { startHarness, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/** What operators and GraphiQL users meet: the endpoints, switches and the built-in emulator. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('serving', () => {
  it('answers /health while the process lives and /readiness while Clumio is reachable', async () => {
    expect((await fetch(`${h.gateway.url}/health`)).status).toBe(200);
    const ready = await fetch(`${h.gateway.url}/readiness`);
    expect(ready.status).toBe(200);

    const other = await startHarness();
    await other.emulator.close();
    try {
      expect((await fetch(`${other.gateway.url}/readiness`)).status).toBe(503);
      expect((await fetch(`${other.gateway.url}/health`)).status).toBe(200);
    } finally {
      await other.gateway.close();
    }
  });

  it('serves GraphiQL for GET with Accept: text/html, with every asset inline (no CDN)', async () => {
    const response = await fetch(`${h.gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('NewestBackups');
    // No element loads anything from another origin.
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html).not.toMatch(/@import\s+url\(["']?https?:/i);
  });

  it('turns GraphiQL and introspection off when told to', async () => {
    const locked = await startHarness({ env: { GRAPHIQL: 'false', INTROSPECTION: 'false' } });
    try {
      const page = await fetch(`${locked.gateway.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('NewestBackups');
      const introspection = await locked.gql('{ __schema { queryType { name } } }');
      expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const typename = await locked.gql('{ __typename }');
      expectNoErrors(typename);
    } finally {
      await locked.close();
    }
  });

  it('serves introspection by default', async () => {
    const response = await h.gql('{ __type(name: "Ec2InstanceBackup") { description fields { name description } } }');
    expectNoErrors(response);
    const fields = response.data.__type.fields as Array<{ name: string; description: string | null }>;
    expect(fields.every((f) => f.description && f.description.length > 10)).toBe(true);
  });

  it('starts the built-in emulator when CLUMIO_API_URL is unset, and uses it', async () => {
    const gateway = await startGateway(parseConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' }), { emulator: { recordRequests: true } });
    try {
      expect(gateway.emulator).not.toBeNull();
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ ec2InstanceBackups(first: 1) { totalCount } }' }),
      });
      const body = await response.json();
      expect(body.data.ec2InstanceBackups.totalCount).toBe(gateway.emulator!.backups.length);
      expect(gateway.emulator!.requests).toHaveLength(1);
    } finally {
      await gateway.close();
    }
  });

  it('lets in-flight requests finish on close and refuses new connections', async () => {
    const other = await startHarness();
    const inFlight = other.gql('{ ec2InstanceBackups(first: 100) { nodes { backupId } } }');
    // Wait until the gateway has asked Clumio, then close.
    while (other.emulator.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const closing = other.gateway.close();
    const response = await inFlight;
    expectNoErrors(response);
    expect(response.data.ec2InstanceBackups.nodes).toHaveLength(100);
    await closing;
    await expect(fetch(`${other.gateway.url}/health`)).rejects.toThrow();
    await other.emulator.close();
  });
});

describe('request bodies', () => {
  /** POSTs `body` in `chunks` pieces; without a Content-Length when `chunked` (Transfer-Encoding: chunked). */
  function post(url: string, body: string, chunked: boolean): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (!chunked) headers['content-length'] = String(Buffer.byteLength(body));
      const req = httpRequest(`${url}/graphql`, { method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 1000) req.write(body.slice(i, i + 1000));
      req.end();
    });
  }

  it('refuses a body over MAX_REQUEST_BODY_BYTES with 413, declared or chunked, and reads one within it either way', async () => {
    const small = await startHarness({ env: { MAX_REQUEST_BODY_BYTES: '2000' } });
    try {
      const padding = ' '.repeat(2100);
      const large = JSON.stringify({ query: `{ ec2InstanceBackups(first: 1) { totalCount } }${padding}` });
      const fits = JSON.stringify({ query: '{ ec2InstanceBackups(first: 1) { totalCount } }' });
      for (const chunked of [false, true]) {
        const refused = await post(small.gateway.url, large, chunked);
        expect([chunked, refused.status, refused.body.errors?.[0]?.extensions?.code]).toEqual([chunked, 413, 'BAD_REQUEST']);
        expect(refused.body.errors[0].message).toMatch(/larger than 2000 bytes/);
        const answered = await post(small.gateway.url, fits, chunked);
        expect([chunked, answered.status, answered.body.data?.ec2InstanceBackups?.totalCount]).toEqual([chunked, 200, small.emulator.backups.length]);
      }
      // Only the two bodies within the limit reached Clumio.
      expect(small.upstream()).toHaveLength(2);
    } finally {
      await small.close();
    }
  });
});

describe('configuration', () => {
  it('reports every problem at once', () => {
    expect(() => parseConfig({ PORT: 'eighty', CLUMIO_API_URL: 'not a url', GRAPHIQL: 'maybe', CLUMIO_TIMEOUT_MS: '0' })).toThrow(
      /PORT[\s\S]*CLUMIO_API_URL[\s\S]*CLUMIO_TIMEOUT_MS[\s\S]*GRAPHIQL/,
    );
  });
  it('has the contract\'s defaults', () => {
    expect(parseConfig({})).toMatchObject({ port: 4000, clumioApiUrl: null, clumioApiToken: null, clumioTimeoutMs: 10000, graphiql: true, introspection: true });
  });
});
