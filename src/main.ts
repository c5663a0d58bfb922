import { ConfigError, parseConfig } from './config';
import { startGateway } from './server';

/** `npm start`: configuration from the environment, then listen until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const gateway = await startGateway(config);
  const upstream = gateway.emulator
    ? `the built-in Clumio emulator at ${gateway.emulator.url} (seeded data; set CLUMIO_API_URL for a real Clumio region)`
    : 'Clumio at the configured CLUMIO_API_URL';
  console.log(`GraphQL gateway ready: ${gateway.url}/graphql`);
  if (config.graphiql) console.log(`GraphiQL: open ${gateway.url}/graphql in a browser`);
  console.log(`Upstream: ${upstream}`);

  const stop = (signal: NodeJS.Signals): void => {
    console.log(`${signal}: finishing in-flight requests, then stopping`);
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// A stray rejection is a bug to log, not a reason to drop every caller's in-flight request.
process.on('unhandledRejection', (reason) => console.error('unhandled rejection', reason));

main().catch((error: unknown) => {
  console.error('the gateway could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
