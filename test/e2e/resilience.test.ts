import { startHarness, expectNoErrors } from '../support/harness';
import type { Harness } from '../support/harness';

/** Retries, Retry-After, the deadline, the circuit breaker and the concurrency bound, over the wire. */

const ONE = '{ ec2InstanceBackups(first: 2) { totalCount nodes { backupId } } }';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { CLUMIO_TIMEOUT_MS: '4000', CLUMIO_BREAKER_FAILURES: '1000' } });
});
afterAll(() => h.close());
beforeEach(() => {
  h.emulator.clearFaults();
  h.resetUpstream();
});

const statuses = () => h.upstream().map((r) => r.status);

describe('retries of idempotent GETs', () => {
  it.each([502, 503, 504])('retries a %i and answers with the data', async (status) => {
    h.emulator.injectFault({ status, times: 2 });
    const response = await h.gql(ONE);
    expectNoErrors(response, h);
    expect(response.data.ec2InstanceBackups.nodes).toHaveLength(2);
    expect(statuses()).toEqual([status, status, 200]);
  });

  it('retries a reset connection', async () => {
    h.emulator.injectFault({ destroySocket: true, times: 1 });
    const response = await h.gql(ONE);
    expectNoErrors(response, h);
    expect(statuses()).toEqual([0, 200]);
  });

  it('does not retry what a retry cannot fix (a 400, a malformed body, a wrong content type)', async () => {
    h.emulator.injectFault({ status: 400, times: 1 });
    const bad = await h.gql(ONE);
    expect(bad.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { status: 400, errorCode: 400 } });
    h.emulator.injectFault({ status: 200, body: '{"_embedded": {"items": [', times: 1 });
    const malformed = await h.gql(ONE);
    expect(malformed.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { status: null } });
    h.emulator.injectFault({ status: 200, body: '<html></html>', contentType: 'text/html', times: 1 });
    const html = await h.gql(ONE);
    expect(html.errors![0]!.message).toMatch(/unexpected content type/);
    expect(statuses()).toEqual([400, 200, 200]);
  });

  it('gives up after the attempt limit with the last status as the code', async () => {
    h.emulator.injectFault({ status: 503, times: 10 });
    const response = await h.gql(ONE);
    expect(response.errors![0]!.extensions).toEqual({
      code: 'UPSTREAM_ERROR',
      upstream: { status: 503, errorCode: 503, errorMessage: 'injected fault: HTTP 503' },
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(statuses()).toEqual([503, 503, 503]);
    h.emulator.clearFaults();
    h.resetUpstream();
    h.emulator.injectFault({ status: 504, times: 10 });
    const timeout = await h.gql(ONE);
    expect(timeout.errors![0]!.extensions?.code).toBe('UPSTREAM_TIMEOUT');
  });
});

describe('429 and Retry-After', () => {
  it('waits a Retry-After in seconds, then succeeds', async () => {
    h.emulator.injectFault({ status: 429, retryAfter: '1', times: 1 });
    const response = await h.gql(ONE);
    expectNoErrors(response, h);
    expect(statuses()).toEqual([429, 200]);
  });

  it('understands Retry-After as an HTTP date', async () => {
    h.emulator.injectFault({ status: 429, retryAfter: new Date(Date.now() + 1000).toUTCString(), times: 1 });
    const response = await h.gql(ONE);
    expectNoErrors(response, h);
    expect(statuses()).toEqual([429, 200]);
  });

  it('answers RATE_LIMITED at once when Retry-After is beyond the cap', async () => {
    h.emulator.injectFault({ status: 429, retryAfter: '120', times: 5 });
    const response = await h.gql(ONE);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 120, upstream: { status: 429 } });
    expect(statuses()).toEqual([429]);
  });

  it('answers RATE_LIMITED with retryAfter when 429s persist', async () => {
    h.emulator.injectFault({ status: 429, times: 10 });
    const response = await h.gql(ONE);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(statuses()).toEqual([429, 429, 429]);
  });
});

describe('deadline', () => {
  it('answers UPSTREAM_TIMEOUT when Clumio is slower than CLUMIO_TIMEOUT_MS, retries included', async () => {
    const slow = await startHarness({ env: { CLUMIO_TIMEOUT_MS: '300' } });
    try {
      slow.emulator.injectFault({ delayMs: 5_000, times: 10 });
      const response = await slow.gql(ONE);
      expect(response.errors![0]!.extensions).toEqual({
        code: 'UPSTREAM_TIMEOUT',
        upstream: { status: null, errorCode: null, errorMessage: null },
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(slow.upstream()).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});

describe('circuit breaker', () => {
  it('fails fast while Clumio is down, says so on /readiness, and probes its way back', async () => {
    const b = await startHarness({ env: { CLUMIO_BREAKER_FAILURES: '3', CLUMIO_BREAKER_OPEN_MS: '400', CLUMIO_RETRY_ATTEMPTS: '1' } });
    try {
      b.emulator.injectFault({ status: 500, times: 3 });
      for (let i = 0; i < 3; i++) expect((await b.gql(ONE)).errors![0]!.extensions?.code).toBe('UPSTREAM_ERROR');
      expect(b.upstream()).toHaveLength(3);

      const fast = await b.gql(ONE);
      expect(fast.errors![0]!.message).toMatch(/pauses calls/);
      expect(b.upstream()).toHaveLength(3); // no upstream call while open
      expect((await fetch(`${b.gateway.url}/readiness`)).status).toBe(503);

      // Once the open period passes, one probe goes through; success closes the circuit.
      let recovered;
      do recovered = await b.gql(ONE);
      while (recovered.errors);
      expect(recovered.data.ec2InstanceBackups.nodes).toHaveLength(2);
      expect(b.upstream()).toHaveLength(4);
    } finally {
      await b.close();
    }
  });
});

describe('concurrency bound', () => {
  it('never has more upstream requests open than CLUMIO_MAX_CONCURRENCY', async () => {
    const c = await startHarness({ env: { CLUMIO_MAX_CONCURRENCY: '2' } });
    try {
      let maxOpen = 0;
      c.emulator.injectFault({
        delayMs: 50,
        times: 100,
        match: () => {
          maxOpen = Math.max(maxOpen, c.emulator.requests.filter((r) => r.status === 0).length);
          return true;
        },
      });
      const ids = c.emulator.backups.slice(0, 8).map((b) => b.id);
      const response = await c.gql(`{ ${ids.map((id, i) => `b${i}: ec2InstanceBackup(backupId: "${id}") { backupId }`).join(' ')} }`);
      expectNoErrors(response, c);
      expect(c.upstream()).toHaveLength(8);
      expect(maxOpen).toBe(2);
    } finally {
      await c.close();
    }
  });
});
