/**
 * Clumio's JSON, exactly as the wire carries it (snake_case, every field optional and nullable).
 *
 * Source: the endpoint document (shared/reference/clumio-list-ec2-instance-backups.txt) and the
 * SDK models summarised in shared/reference/clumio-api-facts.md. Clumio's SDKs make every field a
 * pointer / `| None`, so nothing here is guaranteed to be present.
 *
 * 64-bit integers (`size`, `utilized_size_in_bytes`) are `number` when they fit in a double exactly
 * and a decimal `string` when they do not: the client parses them losslessly (see clumio-json.ts).
 */

/** A 64-bit unsigned integer: a number while exact (≤ 2^53 − 1), otherwise its decimal digits. */
export type WireUInt64 = number | string;

export interface WireHateoasLink {
  href?: string | null;
  templated?: boolean | null;
  type?: string | null;
}

export interface WireTag {
  key?: string | null;
  value?: string | null;
}

export interface WireAmi {
  ami_native_id?: string | null;
  architecture?: string | null;
  has_ena_support?: boolean | null;
  hypervisor_type?: string | null;
  image_type?: string | null;
  is_public?: boolean | null;
  name?: string | null;
  number_of_ebs_volumes?: number | null;
  number_of_ephemeral_volumes?: number | null;
  owner_id?: string | null;
  platform?: string | null;
  root_device_name?: string | null;
  root_device_type?: string | null;
  sriov_net_support?: string | null;
  /** In Clumio's Go SDK model (AmiModel), though not in the endpoint document. */
  state?: string | null;
  virtualization_type?: string | null;
}

export interface WireAttachedEbsVolume {
  id?: string | null;
  is_root?: boolean | null;
  kms_key_native_id?: string | null;
  name?: string | null;
  /** Bytes. */
  size?: WireUInt64 | null;
  status?: string | null;
  tags?: WireTag[] | null;
  type?: string | null;
  /** Bytes. */
  utilized_size_in_bytes?: WireUInt64 | null;
  volume_native_id?: string | null;
}

export interface WireIamInstanceProfile {
  arn?: string | null;
  name?: string | null;
  native_id?: string | null;
}

export interface WireInstanceStoreBlockDeviceMapping {
  encryption?: string | null;
  is_nvme?: boolean | null;
  name?: string | null;
  /** Bytes. */
  size?: WireUInt64 | null;
  type?: string | null;
  virtual_name?: string | null;
}

export interface WireNetworkInterface {
  device_index?: number | null;
  network_interface_native_id?: string | null;
  public_ip?: string | null;
  security_group_native_ids?: string[] | null;
  subnet_native_id?: string | null;
  virtual_name?: string | null;
}

export interface WireEc2BackupLinks {
  _self?: WireHateoasLink | null;
  'restore-aws-ec2-instance'?: WireHateoasLink | null;
}

/** One EC2 instance backup: a list item, and the body of GET /backups/aws/ec2-instances/{id}. */
export interface WireEc2Backup {
  _links?: WireEc2BackupLinks | null;
  account_native_id?: string | null;
  ami?: WireAmi | null;
  attached_backup_ebs_volumes?: WireAttachedEbsVolume[] | null;
  aws_az?: string | null;
  aws_region?: string | null;
  backup_ami?: WireAmi | null;
  backup_tier?: string | null;
  /** Documented values: `file_limit_exceeded`, `browsing_unavailable`; null when browsing works. */
  browsing_failed_reason?: string | null;
  expiration_timestamp?: string | null;
  iam_instance_profile?: WireIamInstanceProfile | null;
  id?: string | null;
  instance_id?: string | null;
  instance_native_id?: string | null;
  instance_store_block_device_mappings?: WireInstanceStoreBlockDeviceMapping[] | null;
  instance_type?: string | null;
  is_browsable?: boolean | null;
  key_pair_name?: string | null;
  key_pair_native_id?: string | null;
  migration_timestamp?: string | null;
  network_interfaces?: WireNetworkInterface[] | null;
  public_ip_address?: string | null;
  /** Gigabytes (GB), unlike every nested `size`, which is in bytes. */
  size?: WireUInt64 | null;
  start_timestamp?: string | null;
  subnet_native_id?: string | null;
  tags?: WireTag[] | null;
  /** Documented values: `clumio_backup`, `aws_snapshot`. */
  type?: string | null;
  /** Bytes. */
  utilized_size_in_bytes?: WireUInt64 | null;
  vpc_native_id?: string | null;
}

export interface WireListLinks {
  _first?: WireHateoasLink | null;
  _last?: WireHateoasLink | null;
  _next?: WireHateoasLink | null;
  _prev?: WireHateoasLink | null;
  _self?: WireHateoasLink | null;
}

/** The body of GET /backups/aws/ec2-instances (page-number pagination). */
export interface WireEc2BackupList {
  _embedded?: { items?: WireEc2Backup[] | null } | null;
  _links?: WireListLinks | null;
  current_count?: number | null;
  filter_applied?: string | null;
  limit?: number | null;
  /** The page number, as a string, from "1". */
  start?: string | null;
  total_count?: number | null;
  total_pages_count?: number | null;
}

/** Clumio's error body: `error_code` is an application code, not the HTTP status. */
export interface WireErrorBody {
  errors?: Array<{ error_code?: number | null; error_message?: string | null }> | null;
}

/** The versioned media type both EC2-backup endpoints speak. */
export const EC2_BACKUPS_MEDIA_TYPE = 'application/api.clumio.backup-aws-ec2-instances=v1+json';
export const EC2_BACKUPS_PATH = '/backups/aws/ec2-instances';

/** `{id, type, value}` of a task's primary or parent entity (all strings). */
export interface WireTaskEntity {
  id?: string | null;
  type?: string | null;
  value?: string | null;
}

/** GET /tasks/{task_id} (Clumio's ReadTaskResponse): every field may be absent or null. */
export interface WireTask {
  _etag?: string | null;
  _links?: Record<string, WireHateoasLink | null> | null;
  id?: string | null;
  status?: string | null;
  progress_percentage?: number | null;
  created_timestamp?: string | null;
  start_timestamp?: string | null;
  end_timestamp?: string | null;
  category?: string | null;
  genre?: string | null;
  type?: string | null;
  is_abortable?: boolean | null;
  primary_entity?: WireTaskEntity | null;
  parent_entity?: WireTaskEntity | null;
}

/** The 202 of POST /restores/aws/ec2-instances (RestoreEC2Response); `_embedded['read-task']` with embed=read-task. */
export interface WireRestoreResponse {
  task_id?: string | null;
  _links?: Record<string, WireHateoasLink | null> | null;
  _embedded?: { 'read-task'?: WireTask | null } | null;
}

export const RESTORES_MEDIA_TYPE = 'application/api.clumio.restored-aws-ec2-instances=v1+json';
export const RESTORES_PATH = '/restores/aws/ec2-instances';
export const TASKS_MEDIA_TYPE = 'application/api.clumio.tasks=v1+json';
export const TASKS_PATH = '/tasks';
