import autocannon from 'autocannon';

/** One bounded load run over loopback: N keep-alive connections, each sending the next request when the last is answered. */

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  /** Responses received. */
  requests: number;
  /** Responses per second over the run. */
  rps: number;
  /** Latency percentiles, in milliseconds. */
  p50: number;
  p99: number;
  /** Responses that were not 2xx, and connection errors or timeouts. */
  non2xx: number;
  errors: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(options.url)) {
    throw new Error(`the benchmark sends load to loopback addresses only, not ${options.url}`);
  }
  const result = await autocannon({
    url: options.url,
    method: options.method,
    headers: options.headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: 1,
    timeout: 30,
    // autocannon checks for the end of a run once per sample; at its default (1 s) a row lasts a
    // whole number of seconds. Rows are short (many targets × operations × rounds), so check often.
    sampleInt: 100,
  });
  const requests = result['2xx'] + result.non2xx;
  return {
    requests,
    rps: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
