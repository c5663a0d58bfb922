/** The Clumio emulator: a seeded, document-faithful stand-in for Clumio's EC2 backup, restore and task REST API. */
export * from './clumio-emulator';
export {
  BACKUP_ID_WITH_HUGE_UTILIZED_SIZE,
  DATA_SET_AS_OF,
  DEFAULT_SEED,
  GLOBAL_ORGANIZATIONAL_UNIT,
  GLOBAL_ORGANIZATIONAL_UNIT_ID,
  HUGE_UTILIZED_SIZE_IN_BYTES,
  ORGANIZATIONAL_UNITS,
  PAYMENTS_OU_ID,
  PRODUCTION_OU_ID,
  RESEARCH_OU_ID,
  SEED_AWS_ACCOUNTS,
  SEED_REGIONS,
  generateSeedData,
} from './seed-data';
export type {
  OrganizationalUnit,
  SeedData,
  SeededAwsAccount,
  SeededEc2Backup,
  SeededInstance,
} from './seed-data';
export { DEFAULT_FAULT_SETTINGS, FAULT_MODES, FAULT_MODE_DESCRIPTIONS, parseFaultMode } from './fault-modes';
export type { FaultModeName, FaultModeOptions, FaultModeParse, FaultModeSettings, FaultModeStatus } from './fault-modes';
export { modeCarriesOut, serverErrorStatus, STATUSES_AFTER_THE_SERVICE } from './fault-modes';
export {
  DEFAULT_TASK_TIMINGS,
  EC2_RESTORE_TASK_TYPE,
  FAILURE_POINT,
  TASK_STATUSES,
  TASKS_MEDIA_TYPE,
  TASKS_PATH,
  restoreFailsByDefault,
} from './restore-tasks';
export type { TaskStatus, TaskTimings, TaskBody, TaskEntity } from './restore-tasks';
export { RESTORE_TARGET_KINDS, parseRestoreRequest } from './restore-request';
export type { RestoreRequest, RestoreRequestParse, RestoreTargetKind } from './restore-request';
