import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback port nothing listens on right now, for servers that must be told their port (Redis,
 * Prometheus, HAProxy, a replica restarted on its old port): the OS picks one for a throwaway
 * listener. Another process could take it before the caller binds; on loopback in a test, none does.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
