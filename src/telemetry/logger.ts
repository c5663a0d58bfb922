import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * The gateway's one logger: JSON objects, one per line, on stdout (pino). Every line has `time` (RFC
 * 3339, UTC), `level` as a word (`info`, not pino's 30) and `msg`; the rest are fields of the event.
 *
 * What never goes into a line, whoever logs: a token, a variable's value, a document's literal
 * arguments, an upstream query string or a body. Callers log names, codes, counts and durations;
 * errors are logged by type and message through `errorFields`.
 */

export type { Logger };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // A field named like a credential is dropped wherever it appears, as a second line of defence.
      redact: { paths: ['authorization', '*.authorization', 'token', '*.token'], remove: true },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** An error as log fields: its kind and message, never its own properties (which may hold a request). */
export function errorFields(error: unknown): { errorType: string; errorMessage: string } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: typeof error, errorMessage: String(error) };
}

/** The shape graphql-yoga logs through (`logging` option), onto pino. */
export function yogaLogger(logger: Logger): Record<LogLevel, (...args: unknown[]) => void> {
  const at =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      if (!logger.isLevelEnabled(level)) return;
      // Only messages and errors: yoga's other arguments can be request parameters.
      const error = args.find((value) => value instanceof Error);
      const message = typeof args[0] === 'string' ? args[0] : 'graphql-yoga';
      if (error) logger[level](errorFields(error), message);
      else logger[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
