import { BadUserInputError } from '../errors';
import type {
  AwsTagInput,
  EbsBlockDeviceMappingInput,
  NetworkInterfaceRestoreInput,
  RestoreEc2InstanceBackupInput,
} from '../generated/resolvers-types';

/**
 * The restore mutation's input → Clumio's `POST /restores/aws/ec2-instances` body, checked before
 * anything is sent. Every refusal is BAD_USER_INPUT naming the field (`input.ami.name`,
 * `input.volumes.ebsBlockDeviceMappings[1].volumeNativeId`) and what to send.
 *
 * Required, as Clumio documents them: exactly one target; `ami`: `name`, `environmentId`,
 * `ebsBlockDeviceMappings`; `volumes`: `awsAz` or `targetInstanceNativeId`; every mapping
 * `volumeNativeId`, and `name` except for free volumes (a `volumes` target without
 * `targetInstanceNativeId`); every tag `key`. `instance` has no documented required field beyond
 * those of its mappings and tags: Clumio's 400 answers the rest. A non-empty AWS id, zone or device
 * name must look like one (`vol-0abc…`, `us-west-2a`, `/dev/xvdb`); an empty string or list is sent
 * as given, for Clumio to judge. Null and omitted fields are left out of the body.
 */

export interface WireRestoreRequest {
  source: { backup_id: string };
  target: Partial<Record<'instance_restore_target' | 'ami_restore_target' | 'volumes_restore_target', Record<string, unknown>>>;
}

type Json = Record<string, unknown>;

/** AWS resource ids: a prefix, then 8 (older resources) or 17 hex digits. */
const awsId = (prefix: string): RegExp => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);
const FORMATS = {
  ami: { pattern: awsId('ami'), example: 'ami-0abcdef1234567890' },
  subnet: { pattern: awsId('subnet'), example: 'subnet-0abcdef1234567890' },
  vpc: { pattern: awsId('vpc'), example: 'vpc-0abcdef1234567890' },
  volume: { pattern: awsId('vol'), example: 'vol-0abcdef1234567890' },
  instance: { pattern: awsId('i'), example: 'i-0abcdef1234567890' },
  networkInterface: { pattern: awsId('eni'), example: 'eni-0abcdef1234567890' },
  securityGroup: { pattern: awsId('sg'), example: 'sg-0abcdef1234567890' },
  // us-west-2a, us-gov-west-1b, and Local Zones such as us-west-2-lax-1a.
  availabilityZone: { pattern: /^[a-z]{2}(?:-[a-z]+)+-\d+(?:-[a-z]+-\d+)?[a-z]$/, example: 'us-west-2a' },
  // /dev/xvdb, /dev/sdf, /dev/sda1, and Windows' xvdf.
  deviceName: { pattern: /^(?:\/dev\/)?(?:sd|xvd|hd)[a-z]{1,2}\d{0,2}$/, example: '/dev/xvdb' },
} as const;

export function restoreRequestBody(input: RestoreEc2InstanceBackupInput): WireRestoreRequest {
  const targets = (['instance', 'ami', 'volumes'] as const).filter((kind) => input[kind] != null);
  if (targets.length !== 1) {
    throw new BadUserInputError(
      targets.length === 0
        ? 'Set one restore target: `input.instance` (a new instance), `input.ami` (an AMI) or `input.volumes` (volumes).'
        : `Set exactly one restore target; got ${targets.map((kind) => `\`input.${kind}\``).join(' and ')}.`,
      'input',
    );
  }
  const source = { backup_id: input.backupId };
  if (input.instance) {
    const at = 'input.instance';
    const t = input.instance;
    return {
      source,
      target: {
        instance_restore_target: compact({
          environment_id: t.environmentId,
          ami_native_id: formatted(t.amiNativeId, `${at}.amiNativeId`, FORMATS.ami),
          aws_az: formatted(t.awsAz, `${at}.awsAz`, FORMATS.availabilityZone),
          subnet_native_id: formatted(t.subnetNativeId, `${at}.subnetNativeId`, FORMATS.subnet),
          vpc_native_id: formatted(t.vpcNativeId, `${at}.vpcNativeId`, FORMATS.vpc),
          key_pair_name: t.keyPairName,
          iam_instance_profile_name: t.iamInstanceProfileName,
          should_power_on: t.shouldPowerOn,
          tags: tags(t.tags, `${at}.tags`),
          ebs_block_device_mappings: mappings(t.ebsBlockDeviceMappings, `${at}.ebsBlockDeviceMappings`, true),
          network_interfaces: t.networkInterfaces?.map((nic, index) => networkInterface(nic, `${at}.networkInterfaces[${index}]`)),
        }),
      },
    };
  }
  if (input.ami) {
    const at = 'input.ami';
    const t = input.ami;
    return {
      source,
      target: {
        ami_restore_target: compact({
          name: required(t.name, `${at}.name`, 'the AMI\'s name'),
          environment_id: required(t.environmentId, `${at}.environmentId`, 'the Clumio ID of the AWS environment'),
          description: t.description,
          tags: tags(t.tags, `${at}.tags`),
          ebs_block_device_mappings: mappings(required(t.ebsBlockDeviceMappings, `${at}.ebsBlockDeviceMappings`, 'the volumes of the AMI'), `${at}.ebsBlockDeviceMappings`, true),
        }),
      },
    };
  }
  const at = 'input.volumes';
  const t = input.volumes!;
  if (t.awsAz == null && t.targetInstanceNativeId == null) {
    throw new BadUserInputError(
      `Set \`${at}.targetInstanceNativeId\` (the instance to attach the volumes to), \`${at}.awsAz\` (where to create free volumes), or both.`,
      `${at}.awsAz`,
    );
  }
  return {
    source,
    target: {
      volumes_restore_target: compact({
        environment_id: t.environmentId,
        aws_az: formatted(t.awsAz, `${at}.awsAz`, FORMATS.availabilityZone),
        target_instance_native_id: formatted(t.targetInstanceNativeId, `${at}.targetInstanceNativeId`, FORMATS.instance),
        // Free volumes (no instance to attach to) need no device name.
        ebs_block_device_mappings: mappings(t.ebsBlockDeviceMappings, `${at}.ebsBlockDeviceMappings`, t.targetInstanceNativeId != null),
      }),
    },
  };
}

function mappings(list: ReadonlyArray<EbsBlockDeviceMappingInput> | null | undefined, at: string, nameRequired: boolean): Json[] | undefined {
  return list?.map((mapping, index) => {
    const here = `${at}[${index}]`;
    return compact({
      name: nameRequired ? formatted(required(mapping.name, `${here}.name`, 'the device name'), `${here}.name`, FORMATS.deviceName) : formatted(mapping.name, `${here}.name`, FORMATS.deviceName),
      volume_native_id: formatted(required(mapping.volumeNativeId, `${here}.volumeNativeId`, 'the AWS ID of the backed-up volume (an `AttachedEbsVolume.volumeNativeId`)'), `${here}.volumeNativeId`, FORMATS.volume),
      kms_key_native_id: mapping.kmsKeyNativeId,
      tags: tags(mapping.tags, `${here}.tags`),
      volume_initialization_rate: nonNegative(mapping.volumeInitializationRate, `${here}.volumeInitializationRate`),
    });
  });
}

function networkInterface(nic: NetworkInterfaceRestoreInput, at: string): Json {
  return compact({
    device_index: nonNegative(nic.deviceIndex, `${at}.deviceIndex`),
    network_interface_native_id: formatted(nic.networkInterfaceNativeId, `${at}.networkInterfaceNativeId`, FORMATS.networkInterface),
    restore_default: nic.restoreDefault,
    restore_from_backup: nic.restoreFromBackup,
    security_group_native_ids: nic.securityGroupNativeIds?.map((id, index) => formatted(id, `${at}.securityGroupNativeIds[${index}]`, FORMATS.securityGroup)),
    subnet_native_id: formatted(nic.subnetNativeId, `${at}.subnetNativeId`, FORMATS.subnet),
  });
}

function tags(list: ReadonlyArray<AwsTagInput> | null | undefined, at: string): Json[] | undefined {
  return list?.map((tag, index) => compact({ key: required(tag.key, `${at}[${index}].key`, 'the tag key'), value: tag.value }));
}

function required<T>(value: T | null | undefined, field: string, what: string): T {
  if (value == null) throw new BadUserInputError(`\`${field}\` is required: ${what}.`, field);
  return value;
}

function formatted(value: string | null | undefined, field: string, format: { pattern: RegExp; example: string }): string | undefined {
  if (value == null) return undefined;
  if (value !== '' && !format.pattern.test(value)) {
    throw new BadUserInputError(`\`${field}\` is not in AWS's format: expected something like \`${format.example}\`, got ${JSON.stringify(value.slice(0, 80))}.`, field);
  }
  return value;
}

function nonNegative(value: number | null | undefined, field: string): number | undefined {
  if (value == null) return undefined;
  if (value < 0) throw new BadUserInputError(`\`${field}\` must be 0 or more; got ${value}.`, field);
  return value;
}

/** The object without its null and undefined fields: Clumio gets only what the caller set. */
function compact(fields: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(fields)) if (value != null) out[key] = value;
  return out;
}
