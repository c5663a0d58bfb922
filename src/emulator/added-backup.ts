/**
 * A backup added to the emulator while it runs (from a test, or the admin endpoint): the fields
 * given, the rest copied from a template backup. Pure: validation and completion only.
 */
import type { WireEc2Backup } from '../clumio/wire-types';
import { EC2_BACKUPS_PATH } from '../clumio/wire-types';
import type { IndexableBackup } from './backup-index';
import type { Parsed } from './list-query';
import { parseRfc3339 } from './list-query';
import { formatRfc3339 } from './seed-data';

/** The fields of Clumio's EC2Backup model: nothing else may be given. */
const BACKUP_FIELDS: ReadonlySet<string> = new Set([
  '_links', 'account_native_id', 'ami', 'attached_backup_ebs_volumes', 'aws_az', 'aws_region', 'backup_ami',
  'backup_tier', 'browsing_failed_reason', 'expiration_timestamp', 'iam_instance_profile', 'id', 'instance_id',
  'instance_native_id', 'instance_store_block_device_mappings', 'instance_type', 'is_browsable', 'key_pair_name',
  'key_pair_native_id', 'migration_timestamp', 'network_interfaces', 'public_ip_address', 'size',
  'start_timestamp', 'subnet_native_id', 'tags', 'type', 'utilized_size_in_bytes', 'vpc_native_id',
]);

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The backup to add: `fields` over a copy of `template` (the instance's newest backup, or the newest
 * of all when the instance has none), with `id` defaulting to `newId()`, `_links` pointing at the
 * id, and `expiration_timestamp` keeping the template's retention unless given.
 */
export function completeBackup(fields: unknown, template: WireEc2Backup | undefined, newId: () => string): Parsed<IndexableBackup> {
  if (!isObject(fields)) return fail('a backup must be a JSON object of EC2Backup fields, such as {"start_timestamp":"2025-06-29T12:00:00Z"}');
  const unknown = Object.keys(fields).find((name) => !BACKUP_FIELDS.has(name));
  if (unknown !== undefined) return fail(`unsupported field "${unknown}": an EC2 backup has only the fields of Clumio's EC2Backup model`);
  const start = fields.start_timestamp;
  if (typeof start !== 'string' || parseRfc3339(start) === undefined) {
    return fail('start_timestamp is required: an RFC-3339 timestamp such as "2025-06-29T12:00:00Z"');
  }
  const id = fields.id ?? newId();
  if (typeof id !== 'string' || id === '' || id.length > 256 || /[/?#%\s]/.test(id)) {
    return fail('id must be a non-empty string of at most 256 characters, without "/", "?", "#", "%" or spaces');
  }
  for (const name of ['instance_id', 'account_native_id'] as const) {
    const value = fields[name] ?? template?.[name];
    if (typeof value !== 'string' || value === '') return fail(`${name} is required (there is no backup to copy it from)`);
  }

  const startMs = parseRfc3339(start) as number;
  const templateStart = parseRfc3339(template?.start_timestamp ?? '');
  const templateEnd = parseRfc3339(template?.expiration_timestamp ?? '');
  const expiration =
    templateStart !== undefined && templateEnd !== undefined ? formatRfc3339(startMs + (templateEnd - templateStart)) : null;
  const backup = {
    ...template,
    expiration_timestamp: expiration,
    _links: {
      ...template?._links,
      _self: { href: `${EC2_BACKUPS_PATH}/${encodeURIComponent(id)}`, templated: false, type: 'get' },
    },
    ...(fields as WireEc2Backup),
    id,
  } as IndexableBackup;
  return { ok: true, value: backup };
}
