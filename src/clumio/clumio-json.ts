import type { WireEc2Backup, WireEc2BackupList } from './wire-types';

/**
 * Clumio's JSON bodies, parsed exactly. `size` and `utilized_size_in_bytes` are 64-bit integers and
 * may exceed 2^53, where JSON.parse rounds them to the nearest double.
 *
 * A body is parsed with JSON.parse alone, then only its 64-bit fields are looked at: an integer
 * literal of 2^53 or more always parses to a double that is not a safe integer, so an unsafe value
 * there is the one sign that digits may have been lost. Only then is the text searched for its wide
 * literals (a scan anchored on the two key names, a few per cent of a parse), and each unsafe value
 * is replaced by the digits of the literal that parsed to it. When two different literals parsed to
 * the same double, or a value is not an integer literal at all, the whole text is read again
 * losslessly instead.
 *
 * The search pattern can only match keys: inside a JSON string a quote is escaped (`\"`), so
 * `"size":` followed by digits never occurs within a value.
 */
const WIDE_INTEGER = /("(?:size|utilized_size_in_bytes)"\s*:\s*)(\d{16,})(?=\s*[,}\]])/g;

/** The text parsed with every 64-bit integer of 16 or more digits kept as its decimal digits. */
export function parseLossless(text: string): unknown {
  return JSON.parse(text.replace(WIDE_INTEGER, '$1"$2"'));
}

/** The wide literals of a text by the double each parses to; null where two different ones collide. */
function wideLiterals(text: string): Map<number, string | null> {
  const literals = new Map<number, string | null>();
  for (const match of text.matchAll(WIDE_INTEGER)) {
    const digits = match[2] as string;
    const value = Number(digits);
    const seen = literals.get(value);
    literals.set(value, seen === undefined || seen === digits ? digits : null);
  }
  return literals;
}

type Holder = Record<string, unknown>;

/** Calls `visit` with every 64-bit field of a parsed backup: the object holding it, and its key. */
function forEachWideField(backup: unknown, visit: (holder: Holder, key: string) => void): void {
  if (typeof backup !== 'object' || backup === null) return;
  const b = backup as WireEc2Backup & Holder;
  visit(b, 'size');
  visit(b, 'utilized_size_in_bytes');
  const volumes = b.attached_backup_ebs_volumes;
  if (Array.isArray(volumes)) {
    for (const volume of volumes as unknown[]) {
      if (typeof volume !== 'object' || volume === null) continue;
      visit(volume as Holder, 'size');
      visit(volume as Holder, 'utilized_size_in_bytes');
    }
  }
  const stores = b.instance_store_block_device_mappings;
  if (Array.isArray(stores)) {
    for (const store of stores as unknown[]) if (typeof store === 'object' && store !== null) visit(store as Holder, 'size');
  }
}

function parseExactly(text: string, backupsOf: (body: unknown) => unknown[]): unknown {
  const body: unknown = JSON.parse(text);
  const unsafe: Array<{ holder: Holder; key: string; value: number }> = [];
  for (const backup of backupsOf(body)) {
    forEachWideField(backup, (holder, key) => {
      const value = holder[key];
      if (typeof value === 'number' && !Number.isSafeInteger(value)) unsafe.push({ holder, key, value });
    });
  }
  if (unsafe.length === 0) return body;
  const literals = wideLiterals(text);
  for (const { holder, key, value } of unsafe) {
    const digits = literals.get(value);
    if (!digits) return parseLossless(text);
    holder[key] = digits;
  }
  return body;
}

/** The body of GET /backups/aws/ec2-instances. */
export function parseBackupList(text: string): unknown {
  return parseExactly(text, (body) => {
    const items = (body as WireEc2BackupList | null)?._embedded?.items;
    return Array.isArray(items) ? items : [];
  });
}

/** The body of GET /backups/aws/ec2-instances/{id}. */
export function parseBackup(text: string): unknown {
  return parseExactly(text, (body) => [body]);
}
