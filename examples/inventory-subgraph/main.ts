/**
 * `npm run example:inventory [-- --port 4001]`: serves the example inventory subgraph over the
 * emulator's seeded instances, to try a router locally next to `npm start` (see the README).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createInventorySubgraph, inventoryFromSeed } from './inventory-subgraph';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4001' }, host: { type: 'string', default: '127.0.0.1' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  process.exit(1);
}
const subgraph = createInventorySubgraph(inventoryFromSeed());
const server = createServer((request, response) => void subgraph(request, response));
server.listen(port, values.host, () => {
  const { port: listening } = server.address() as AddressInfo;
  console.log(`Inventory subgraph ready: http://${values.host}:${listening}/graphql`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
