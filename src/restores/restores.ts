import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { bearerTokenOf, callerKey, organizationalUnitOf } from '../clumio/caller-key';
import type { ClumioCaller, ClumioClient, UpstreamTrace } from '../clumio/clumio-client';
import type { WireTask } from '../clumio/wire-types';
import { BadUserInputError } from '../errors';
import type { RestoreEc2InstanceBackupInput } from '../generated/resolvers-types';
import { checkClumioId } from '../graphql/clumio-id';
import { restoreInputFingerprint } from './idempotency';
import type { RestoreIdempotency } from './idempotency';
import { restoreRequestBody } from './restore-input';
import type { TaskPollers } from './task-poller';

/**
 * Restores and their tasks, for one GraphQL request: the credential rule (CLUMIO_RESTORES), input
 * checks, idempotency keys, the one POST, task reads through a per-request loader, and the shared
 * pollers behind the subscription. Resolvers call these and nothing else.
 *
 * Credentials (`CLUMIO_RESTORES`), for restores and for every task read:
 * - `caller`: the caller's own `Authorization: Bearer` token only, never CLUMIO_API_TOKEN;
 * - `gateway`: the caller's own token when it sends one, the gateway's otherwise;
 * - `off`: refused.
 * No usable token is FORBIDDEN, and nothing is sent.
 */

export type RestoreCredentials = 'caller' | 'gateway' | 'off';

/** What every request shares (one per process). */
export interface RestoreServices {
  client: ClumioClient;
  credentials: RestoreCredentials;
  /** CLUMIO_API_TOKEN, used only in `gateway` mode. */
  apiToken: string | null;
  idempotency: RestoreIdempotency;
  pollers: TaskPollers<WireTask>;
}

export interface RestoreContext {
  /** Starts (or, for a repeated idempotency key, recalls) a restore; answers its task. */
  start(input: RestoreEc2InstanceBackupInput): Promise<WireTask>;
  /** A task; null when Clumio has none by that id. De-duplicated within the request. */
  task(taskId: string): Promise<WireTask | null>;
  /** The task's snapshots until it ends (the subscription). */
  follow(taskId: string, signal?: AbortSignal): AsyncIterableIterator<WireTask>;
}

/** The task objects this module handed out: `Node.__resolveType` tells them from backups by this, not by their (nullable) fields. */
const tasksHandedOut = new WeakSet<object>();
export const isClumioTask = (object: object): boolean => tasksHandedOut.has(object);
const handedOut = <T extends WireTask | null>(task: T): T => {
  if (task) tasksHandedOut.add(task);
  return task;
};
const MAX_KEY_LENGTH = 255;

export function createRestoreContext(services: RestoreServices, request: Request, trace: UpstreamTrace): RestoreContext {
  let resolved: ClumioCaller | undefined;
  const caller = (): ClumioCaller => (resolved ??= restoreCaller(services, request));
  let tasks: DataLoader<string, WireTask | null> | undefined;
  const taskLoader = (): DataLoader<string, WireTask | null> =>
    (tasks ??= new DataLoader((ids) => Promise.all(ids.map((id) => services.client.getTask(caller(), id, trace).catch((error: unknown) => error as Error))), { maxBatchSize: 100 }));

  return {
    async start(input) {
      checkClumioId(input.backupId, 'input.backupId');
      const body = restoreRequestBody(input);
      const key = input.idempotencyKey;
      if (key != null && (key.length === 0 || key.length > MAX_KEY_LENGTH)) {
        throw new BadUserInputError(`\`input.idempotencyKey\` must be 1 to ${MAX_KEY_LENGTH} characters, e.g. a UUID made when the user asked for the restore.`, 'input.idempotencyKey');
      }
      const who = caller();
      // The task Clumio embedded in its 202, when this call is the one that sent the POST.
      const sent: { task: WireTask | null } = { task: null };
      const post = async (): Promise<{ taskId: string }> => {
        const accepted = await services.client.restoreEc2InstanceBackup(who, body, trace);
        sent.task = accepted.task;
        return { taskId: accepted.taskId };
      };
      const { taskId } =
        key == null ? await post() : await services.idempotency.run(callerKey(who), key, restoreInputFingerprint({ ...input, idempotencyKey: null }), post);
      // A 202 without an embedded task (or a replayed key) costs one task read.
      const task: WireTask | null = sent.task ?? (await services.client.getTask(who, taskId, trace));
      return handedOut({ ...task, id: task?.id ?? taskId });
    },

    task(taskId) {
      checkClumioId(taskId, 'taskId');
      caller();
      return taskLoader().load(taskId).then(handedOut);
    },

    follow(taskId, signal) {
      checkClumioId(taskId, 'taskId');
      const who = caller();
      return services.pollers.subscribe(callerKey(who), taskId, (id) => services.client.getTask(who, id, trace), signal);
    },
  };
}

function restoreCaller(services: RestoreServices, request: Request): ClumioCaller {
  if (services.credentials === 'off') {
    throw forbidden('Restores and task reads are turned off on this gateway (CLUMIO_RESTORES=off).');
  }
  const token = bearerTokenOf(request) ?? (services.credentials === 'gateway' ? services.apiToken : null);
  if (!token) {
    throw forbidden(
      services.credentials === 'caller'
        ? 'Restores and task reads are sent with your own Clumio token: send `Authorization: Bearer <Clumio API token>` (this gateway does not restore with its own token: CLUMIO_RESTORES=caller).'
        : 'No Clumio token: send `Authorization: Bearer <Clumio API token>`.',
    );
  }
  return { token, organizationalUnit: organizationalUnitOf(request) };
}

const forbidden = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
