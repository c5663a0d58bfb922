/** Child process: the gateway as `npm start` runs it, configured from the environment the benchmark sets. */
import { parseConfig } from '../src/config';
import { startGateway } from '../src/server';
import { serveParent } from './child-protocol';

async function main(): Promise<void> {
  const gateway = await startGateway(parseConfig(process.env));
  serveParent(gateway.url, () => gateway.close());
}

main().catch((error: unknown) => {
  console.error('bench gateway failed:', error);
  process.exit(1);
});
