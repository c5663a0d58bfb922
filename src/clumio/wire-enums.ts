/**
 * Clumio's documented string values for the schema's enums. The GraphQL enum value names are the
 * keys; Clumio's strings are the internal values (codegen's `enumValues`, and the resolvers map
 * these objects onto the schema's enums).
 */
export enum WireBackupType {
  CLUMIO_BACKUP = 'clumio_backup',
  AWS_SNAPSHOT = 'aws_snapshot',
}

export enum WireBrowsingFailedReason {
  FILE_LIMIT_EXCEEDED = 'file_limit_exceeded',
  BROWSING_UNAVAILABLE = 'browsing_unavailable',
}

export enum WireRootDeviceType {
  EBS = 'ebs',
  INSTANCE_STORE = 'instance-store',
}

/** A task's `status` (GET /tasks/{task_id}): the six documented values. */
export enum WireTaskStatus {
  QUEUED = 'queued',
  IN_PROGRESS = 'in_progress',
  COMPLETED = 'completed',
  FAILED = 'failed',
  ABORTING = 'aborting',
  ABORTED = 'aborted',
}
