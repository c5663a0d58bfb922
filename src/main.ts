import { ConfigError, parseConfig } from './config';
import { startGateway } from './server';
import { createLogger, errorFields } from './telemetry/logger';

/** `npm start`: configuration from the environment, then listen until SIGTERM/SIGINT. Logs are JSON lines on stdout. */
async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      createLogger('error').fatal({ problems: error.problems }, 'invalid configuration');
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // A stray rejection is a bug to log, not a reason to drop every caller's in-flight request.
  process.on('unhandledRejection', (reason) => logger.error(errorFields(reason), 'unhandled rejection'));

  let gateway;
  try {
    gateway = await startGateway(config, { logger });
  } catch (error) {
    logger.fatal(errorFields(error), 'the gateway could not start');
    process.exit(1);
  }
  logger.info(
    {
      url: gateway.url,
      graphql: `${gateway.url}/graphql`,
      graphiql: config.graphiql,
      metrics: gateway.metricsUrl,
      upstream: gateway.emulator
        ? `the built-in Clumio emulator (seeded data; set CLUMIO_API_URL for a real Clumio region)`
        : 'CLUMIO_API_URL',
      tracing: gateway.tracing.exporting ? gateway.tracing.describe : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export)',
    },
    'gateway ready',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: no more waiting for the load balancer, close now (in-flight requests still finish).
      logger.info({ signal }, 'second signal: ending the drain delay');
      gateway.endDrainDelay();
      return;
    }
    stopping = true;
    logger.info(
      { signal, drainDelayMs: config.shutdownDelayMs, graceMs: config.shutdownGraceMs },
      config.shutdownDelayMs > 0 ? 'draining: /readiness answers 503, then finishing in-flight requests and stopping' : 'finishing in-flight requests, then stopping',
    );
    gateway.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(errorFields(error), 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
