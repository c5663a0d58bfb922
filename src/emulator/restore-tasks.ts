/**
 * The tasks the emulator's restores create, as GET /tasks/{task_id} shows them (clumio-api-facts.md
 * §7: the 14 fields of ReadTaskResponse, the six statuses). Pure: a task's state is a function of
 * the clock, so a test steps time instead of sleeping.
 *
 * A restore's task is `queued` for `queuedMs`, then `in_progress` for `runningMs` with
 * `progress_percentage` rising from 0 (the floor of the share of `runningMs` gone), then
 * `completed` at 100. A restore that fails runs to FAILURE_POINT of `runningMs`, then is `failed`
 * with its progress where it stopped. An abort (PATCH {"status":"aborting"}) of a queued or running
 * task makes it `aborting` for `abortingMs`, then `aborted`, its progress frozen at the abort.
 *
 * Where the documents are silent, the emulator chooses (and says so here):
 * - the task `type` of an EC2 instance restore (undocumented) is `aws_ec2_instance_restore`, after the
 *   documented `aws_ebs_volume_restore`; `category` is `restore` and `genre` `operational`;
 * - `primary_entity` is the backed-up instance: `{id: instance_id, type: "aws_ec2_instance", value: its
 *   Name tag, or its instance_native_id}`; `parent_entity` is the target environment: `{id:
 *   environment_id, type: "aws_environment", value: "<account>/<region>" of the backup}`;
 * - task ids are decimal strings counting from 1 (the only sample, in the PY SDK, is `"101"`);
 * - `completed` shows 100; `failed`, `aborting` and `aborted` show the progress the task had reached;
 * - `_etag` is a hash of the id, status and progress, so it changes whenever the task does;
 * - `_links.update-task` is present only while the task can be aborted (HATEOAS links name what
 *   can be done now); `_links.read-organizational-unit` is the OU the restore was sent in;
 * - timestamps are RFC 3339 in UTC with milliseconds when they are not whole seconds.
 */
import { createHash } from 'node:crypto';
import { formatRfc3339 } from './seed-data';

export const TASKS_PATH = '/tasks';
export const TASKS_MEDIA_TYPE = 'application/api.clumio.tasks=v1+json';

/** Clumio's documented task statuses, as sent on the wire. */
export const TASK_STATUSES = ['queued', 'in_progress', 'completed', 'failed', 'aborting', 'aborted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const EC2_RESTORE_TASK_TYPE = 'aws_ec2_instance_restore';

/** How long each stage of a restore's task lasts, in ms of the emulator's clock. */
export interface TaskTimings {
  queuedMs: number;
  runningMs: number;
  abortingMs: number;
}

/** Real time: a restore sent from GraphiQL ends 14 s later, its progress rising about 8 points a second. */
export const DEFAULT_TASK_TIMINGS: Readonly<TaskTimings> = { queuedMs: 2_000, runningMs: 12_000, abortingMs: 3_000 };

/** The share of `runningMs` after which a failing restore fails. */
export const FAILURE_POINT = 0.6;

/**
 * The default rule for which restores fail: those of a backup whose id ends in "f" (about one
 * backup in 16 of the seeded data, the same ones every run; `insertBackup({ id: '…f' })` makes more).
 */
export function restoreFailsByDefault(backupId: string): boolean {
  return backupId.endsWith('f');
}

export interface TaskEntity {
  id: string;
  type: string;
  value: string;
}

export interface HateoasLink {
  href: string;
  templated: boolean;
  type: string;
}

/** GET /tasks/{task_id}: ReadTaskResponse, fields in the GO model's (alphabetical) order. */
export interface TaskBody {
  _etag: string;
  _links: { _self: HateoasLink; 'read-organizational-unit': HateoasLink; 'update-task'?: HateoasLink };
  category: string;
  created_timestamp: string;
  end_timestamp: string | null;
  genre: string;
  id: string;
  is_abortable: boolean;
  parent_entity: TaskEntity;
  primary_entity: TaskEntity;
  progress_percentage: number;
  start_timestamp: string | null;
  status: TaskStatus;
  type: string;
}

/** A task as the emulator keeps it: what it was created with, and the abort asked for, if any. */
export interface RestoreTask {
  readonly id: string;
  /** The bearer token (the organization) that sent the restore: no other token sees the task. */
  readonly token: string;
  /** The OU the restore was sent in (its `read-organizational-unit` link). */
  readonly organizationalUnitId: string;
  /** The backup's account: a request in an OU that does not see the account does not see the task. */
  readonly accountNativeId: string;
  readonly backupId: string;
  readonly createdMs: number;
  readonly timings: Readonly<TaskTimings>;
  readonly fails: boolean;
  readonly primaryEntity: TaskEntity;
  readonly parentEntity: TaskEntity;
  /** When an abort was accepted; undefined while none was. */
  abortRequestedMs?: number;
}

export interface TaskState {
  status: TaskStatus;
  progress: number;
  startMs: number | null;
  endMs: number | null;
}

/** The task at `nowMs`. */
export function taskState(task: RestoreTask, nowMs: number): TaskState {
  const abortAt = task.abortRequestedMs;
  if (abortAt === undefined || nowMs < abortAt) return naturalState(task, nowMs);
  const before = naturalState(task, abortAt);
  const endMs = abortAt + task.timings.abortingMs;
  return nowMs < endMs
    ? { status: 'aborting', progress: before.progress, startMs: before.startMs, endMs: null }
    : { status: 'aborted', progress: before.progress, startMs: before.startMs, endMs };
}

/** The task as it goes when nobody aborts it. */
function naturalState(task: RestoreTask, nowMs: number): TaskState {
  const { queuedMs, runningMs } = task.timings;
  const elapsed = nowMs - task.createdMs;
  if (elapsed < queuedMs) return { status: 'queued', progress: 0, startMs: null, endMs: null };
  const startMs = task.createdMs + queuedMs;
  const runsFor = task.fails ? Math.floor(runningMs * FAILURE_POINT) : runningMs;
  const progressAt = (ran: number): number => (runningMs <= 0 ? 0 : Math.min(99, Math.floor((100 * ran) / runningMs)));
  if (elapsed < queuedMs + runsFor) return { status: 'in_progress', progress: progressAt(elapsed - queuedMs), startMs, endMs: null };
  return task.fails
    ? { status: 'failed', progress: progressAt(runsFor), startMs, endMs: startMs + runsFor }
    : { status: 'completed', progress: 100, startMs, endMs: startMs + runningMs };
}

export const isAbortable = (status: TaskStatus): boolean => status === 'queued' || status === 'in_progress';

/** The task's JSON at `nowMs`, as GET /tasks/{task_id} answers it. */
export function taskJson(task: RestoreTask, nowMs: number): TaskBody {
  const state = taskState(task, nowMs);
  const self = `${TASKS_PATH}/${encodeURIComponent(task.id)}`;
  const abortable = isAbortable(state.status);
  const links: TaskBody['_links'] = {
    _self: { href: self, templated: false, type: 'get' },
    'read-organizational-unit': {
      href: `/organizational-units/${encodeURIComponent(task.organizationalUnitId)}`,
      templated: false,
      type: 'get',
    },
  };
  if (abortable) links['update-task'] = { href: self, templated: false, type: 'patch' };
  return {
    _etag: createHash('sha256').update(`${task.id}|${state.status}|${state.progress}`).digest('hex').slice(0, 32),
    _links: links,
    category: 'restore',
    created_timestamp: formatRfc3339(task.createdMs),
    end_timestamp: state.endMs === null ? null : formatRfc3339(state.endMs),
    genre: 'operational',
    id: task.id,
    is_abortable: abortable,
    parent_entity: task.parentEntity,
    primary_entity: task.primaryEntity,
    progress_percentage: state.progress,
    start_timestamp: state.startMs === null ? null : formatRfc3339(state.startMs),
    status: state.status,
    type: EC2_RESTORE_TASK_TYPE,
  };
}

/** Parses PATCH /tasks/{task_id}'s body: `{"status":"aborting"}` is the only change Clumio documents. */
export function parseTaskUpdate(body: unknown): { ok: true } | { ok: false; problems: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problems: ['the body must be a JSON object such as {"status":"aborting"}'] };
  }
  const record = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of Object.keys(record)) {
    if (name !== 'status') problems.push(`${name} is not a field of the task update; its only field is status`);
  }
  if (record.status === undefined || record.status === null) problems.push('status is required');
  else if (record.status !== 'aborting') problems.push(`status must be "aborting" (the only update a task takes); got ${JSON.stringify(record.status)}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true };
}
