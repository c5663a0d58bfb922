import type { YogaInitialContext } from 'graphql-yoga';
import { bearerTokenOf, callerKey, organizationalUnitOf } from '../clumio/caller-key';
import type { ClumioCaller, ClumioClient } from '../clumio/clumio-client';
import { MissingCredentialsError } from '../errors';
import { createBackupLoaders } from '../loaders/backup-loaders';
import type { BackupLoaders } from '../loaders/backup-loaders';
import { operationTelemetryOf } from '../plugins/use-telemetry';
import { createRestoreContext } from '../restores/restores';
import type { RestoreContext, RestoreServices } from '../restores/restores';

/** What the gateway adds to yoga's context, built fresh for each GraphQL request. */
export interface GatewayUserContext {
  loaders: BackupLoaders;
  /** Restores and tasks (their own credential rule: CLUMIO_RESTORES). */
  restores: RestoreContext;
}

/** Everything a resolver may use. */
export type GatewayContext = YogaInitialContext & GatewayUserContext;

export interface ContextFactoryOptions {
  client: ClumioClient;
  /** The gateway's own Clumio token; null forwards each caller's bearer token. */
  apiToken: string | null;
  maxPageSize: number;
  restores: RestoreServices;
}

/** The upstream identity of a request: the configured token or the caller's, and the caller's OU. */
export function callerOf(request: Request, apiToken: string | null): ClumioCaller | null {
  const token = apiToken ?? bearerTokenOf(request);
  if (!token) return null;
  return { token, organizationalUnit: organizationalUnitOf(request) };
}

/**
 * Who a request is for the response cache: a hash of the upstream credential and OU, plus the
 * caller's own Authorization when the gateway has a token of its own (so callers stay apart even
 * then). Null when the request has no credential.
 */
export function callerIdentity(request: Request, apiToken: string | null): string | null {
  const caller = callerOf(request, apiToken);
  if (!caller) return null;
  const own = apiToken === null ? '' : (request.headers.get('authorization') ?? '');
  return callerKey(own ? { ...caller, token: `${caller.token}\n${own}` } : caller);
}

export function createContextFactory(options: ContextFactoryOptions) {
  return (initial: YogaInitialContext): GatewayUserContext => {
    const caller = callerOf(initial.request, options.apiToken);
    const trace = operationTelemetryOf(initial);
    // useTelemetry follows every operation from its parameters on; a context without one is a bug.
    if (!trace) throw new Error('the operation has no telemetry: is useTelemetry installed?');
    return {
      loaders: createBackupLoaders({
        client: options.client,
        maxPageSize: options.maxPageSize,
        trace,
        caller: () => {
          if (!caller) throw new MissingCredentialsError();
          return caller;
        },
      }),
      restores: createRestoreContext(options.restores, initial.request, trace),
    };
  };
}
