/**
 * Validation of the body of POST /restores/aws/ec2-instances, as Clumio's documents describe it
 * (clumio-api-facts.md §1 "Restore request body" and §7 "Required fields of the restore body").
 * Pure: no I/O, no data. Every problem is reported, each naming its field by its JSON path.
 *
 * Field names and JSON types are the GO SDK's (`RestoreAwsEc2InstanceV1Request` and the models it
 * nests). Required markers, and where the documents are silent:
 * - `source.backup_id`, `target`, exactly one non-null target, the ami target's `name`,
 *   `environment_id` and `ebs_block_device_mappings`, every mapping's `volume_native_id` and every
 *   tag's `key` are documented (CV, GO).
 * - A mapping's `name` is required except in a volumes target without `target_instance_native_id`
 *   (GO field docs); a volumes target needs `aws_az` or `target_instance_native_id`, and may have both
 *   (GO says "either"; only Clumio's velero sample says exactly one).
 * - The instance target's `environment_id`, `subnet_native_id`, `vpc_native_id`,
 *   `ebs_block_device_mappings` and `network_interfaces`, the volumes target's `environment_id` and
 *   `ebs_block_device_mappings`, and a network interface's `device_index` are required only by the
 *   velero sample's templates ([inferred]); the emulator enforces them, so a client meets the
 *   strictest reading of the documents.
 * - An explicit null is the same as an absent field (the GO SDK sends null for every unset field).
 * - A field Clumio's model does not have is refused (the documents do not say; refusing catches a
 *   client's misspelt or camelCase field, which a lenient server would drop without a word).
 * - Empty strings and empty lists are taken as given: the documents set no minimum.
 */
export type RestoreTargetKind = 'instance_restore_target' | 'ami_restore_target' | 'volumes_restore_target';

export const RESTORE_TARGET_KINDS: readonly RestoreTargetKind[] = [
  'instance_restore_target',
  'ami_restore_target',
  'volumes_restore_target',
];

/** What the emulator needs from a valid body; the body itself is kept as sent (the request log has it). */
export interface RestoreRequest {
  backupId: string;
  targetKind: RestoreTargetKind;
  /** The target's `environment_id` (every target kind requires one). */
  environmentId: string;
}

export type RestoreRequestParse = { ok: true; value: RestoreRequest } | { ok: false; problems: string[] };

type FieldType =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'int64' }
  | { kind: 'array'; of: FieldType }
  | { kind: 'object'; name: string; fields: Readonly<Record<string, FieldType>>; required: readonly string[] };

type ObjectType = Extract<FieldType, { kind: 'object' }>;

const STRING: FieldType = { kind: 'string' };
const BOOL: FieldType = { kind: 'bool' };
const INT64: FieldType = { kind: 'int64' };
const arrayOf = (of: FieldType): FieldType => ({ kind: 'array', of });
const object = (name: string, fields: Record<string, FieldType>, required: readonly string[] = []): ObjectType => ({
  kind: 'object',
  name,
  fields,
  required,
});

const TAG = object('AwsTagCommonModel', { key: STRING, value: STRING }, ['key']);
const MAPPING = object(
  'EC2RestoreEbsBlockDeviceMapping',
  {
    kms_key_native_id: STRING,
    name: STRING,
    tags: arrayOf(TAG),
    volume_initialization_rate: INT64,
    volume_native_id: STRING,
  },
  // `name` depends on the target; see mappingNameProblems.
  ['volume_native_id'],
);
const NETWORK_INTERFACE = object(
  'EC2RestoreNetworkInterface',
  {
    device_index: INT64,
    network_interface_native_id: STRING,
    restore_default: BOOL,
    restore_from_backup: BOOL,
    security_group_native_ids: arrayOf(STRING),
    subnet_native_id: STRING,
  },
  ['device_index'],
);

const TARGETS: Readonly<Record<RestoreTargetKind, ObjectType>> = {
  instance_restore_target: object(
    'EC2InstanceRestoreTarget',
    {
      ami_native_id: STRING,
      aws_az: STRING,
      ebs_block_device_mappings: arrayOf(MAPPING),
      environment_id: STRING,
      iam_instance_profile_name: STRING,
      key_pair_name: STRING,
      network_interfaces: arrayOf(NETWORK_INTERFACE),
      should_power_on: BOOL,
      subnet_native_id: STRING,
      tags: arrayOf(TAG),
      vpc_native_id: STRING,
    },
    ['ebs_block_device_mappings', 'environment_id', 'network_interfaces', 'subnet_native_id', 'vpc_native_id'],
  ),
  ami_restore_target: object(
    'EC2AMIRestoreTarget',
    { description: STRING, ebs_block_device_mappings: arrayOf(MAPPING), environment_id: STRING, name: STRING, tags: arrayOf(TAG) },
    ['ebs_block_device_mappings', 'environment_id', 'name'],
  ),
  volumes_restore_target: object(
    'EC2VolumesRestoreTarget',
    { aws_az: STRING, ebs_block_device_mappings: arrayOf(MAPPING), environment_id: STRING, target_instance_native_id: STRING },
    ['ebs_block_device_mappings', 'environment_id'],
  ),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Checks `value` (not null or absent) against `type`, appending a problem per wrong field. */
function check(value: unknown, type: FieldType, path: string, problems: string[]): void {
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${path} must be a string; got ${shown(value)}`);
      return;
    case 'bool':
      if (typeof value !== 'boolean') problems.push(`${path} must be a boolean; got ${shown(value)}`);
      return;
    case 'int64':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) problems.push(`${path} must be an integer; got ${shown(value)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) {
        problems.push(`${path} must be an array; got ${shown(value)}`);
        return;
      }
      value.forEach((item: unknown, i) => check(item, type.of, `${path}[${i}]`, problems));
      return;
    case 'object':
      checkObject(value, type, path, problems);
      return;
  }
}

function checkObject(value: unknown, type: ObjectType, path: string, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`${path} must be an object (${type.name}); got ${shown(value)}`);
    return;
  }
  for (const name of Object.keys(value)) {
    if (!(name in type.fields)) {
      problems.push(`${path}.${name} is not a field of ${type.name}; its fields are ${Object.keys(type.fields).join(', ')}`);
    }
  }
  for (const name of type.required) {
    if (value[name] === undefined || value[name] === null) problems.push(`${path}.${name} is required`);
  }
  for (const [name, fieldType] of Object.entries(type.fields)) {
    const field = value[name];
    if (field !== undefined && field !== null) check(field, fieldType, `${path}.${name}`, problems);
  }
}

/** A mapping's `name`: required by the instance and ami targets, and by a volumes target that names an instance. */
function mappingNameProblems(target: Record<string, unknown>, kind: RestoreTargetKind, path: string): string[] {
  const named = kind !== 'volumes_restore_target' || !isAbsent(target.target_instance_native_id);
  const mappings = target.ebs_block_device_mappings;
  if (!named || !Array.isArray(mappings)) return [];
  const problems: string[] = [];
  mappings.forEach((mapping: unknown, i) => {
    if (isObject(mapping) && isAbsent(mapping.name)) {
      const why = kind === 'volumes_restore_target' ? ' when target_instance_native_id is set' : '';
      problems.push(`${path}.ebs_block_device_mappings[${i}].name is required${why}`);
    }
  });
  return problems;
}

const isAbsent = (v: unknown): boolean => v === undefined || v === null;

/** Validates a parsed JSON body; `value` carries what the emulator needs when it is valid. */
export function parseRestoreRequest(body: unknown): RestoreRequestParse {
  if (!isObject(body)) {
    return { ok: false, problems: [`the body must be a JSON object with "source" and "target"; got ${shown(body)}`] };
  }
  const problems: string[] = [];
  for (const name of Object.keys(body)) {
    if (name !== 'source' && name !== 'target') problems.push(`${name} is not a field of the restore request; its fields are source, target`);
  }

  const { source, target } = body;
  if (isAbsent(source)) problems.push('source is required');
  else checkObject(source, object('EC2RestoreSource', { backup_id: STRING }, ['backup_id']), 'source', problems);

  let kind: RestoreTargetKind | undefined;
  if (isAbsent(target)) {
    problems.push('target is required');
  } else if (!isObject(target)) {
    problems.push(`target must be an object (EC2RestoreTarget); got ${shown(target)}`);
  } else {
    for (const name of Object.keys(target)) {
      if (!(RESTORE_TARGET_KINDS as readonly string[]).includes(name)) {
        problems.push(`target.${name} is not a field of EC2RestoreTarget; its fields are ${RESTORE_TARGET_KINDS.join(', ')}`);
      }
    }
    const set = RESTORE_TARGET_KINDS.filter((k) => !isAbsent(target[k]));
    if (set.length !== 1) {
      const got = set.length === 0 ? 'none is set' : `${set.join(' and ')} are set`;
      problems.push(`target must have exactly one of ${RESTORE_TARGET_KINDS.join(', ')}; ${got}`);
    }
    for (const k of set) {
      const path = `target.${k}`;
      const value = target[k];
      checkObject(value, TARGETS[k], path, problems);
      if (!isObject(value)) continue;
      problems.push(...mappingNameProblems(value, k, path));
      if (k === 'volumes_restore_target' && isAbsent(value.aws_az) && isAbsent(value.target_instance_native_id)) {
        problems.push(`${path} needs aws_az or target_instance_native_id`);
      }
    }
    if (set.length === 1) kind = set[0];
  }

  if (problems.length > 0 || kind === undefined || !isObject(source) || !isObject(target)) return { ok: false, problems };
  const chosen = target[kind] as Record<string, unknown>;
  return {
    ok: true,
    value: { backupId: source.backup_id as string, targetKind: kind, environmentId: chosen.environment_id as string },
  };
}
