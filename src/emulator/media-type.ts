/**
 * Accept negotiation for Clumio's versioned media types.
 *
 * Clumio names a version per resource: `application/api.clumio.<resource>=v1+json`; a wildcard
 * resource (`application/api.clumio.*=v1+json`) and mixed versions (`*=v2&tasks=v1`) are allowed,
 * with the resource's own entry winning over `*`. The emulator also takes an absent Accept,
 * `*` / `application/*` / `application/json` ranges, and ignores ranges with q=0.
 */

const CLUMIO_PREFIX = 'application/api.clumio.';

/** True when `accept` admits version `version` (e.g. "v1") of `resource` (e.g. "backup-aws-ec2-instances"). */
export function acceptsResourceVersion(accept: string | undefined, resource: string, version: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  for (const range of accept.split(',')) {
    const [rawType = '', ...params] = range.split(';');
    const type = rawType.trim().toLowerCase();
    if (type === '') continue;
    if (params.some((p) => /^\s*q\s*=\s*0(?:\.0*)?\s*$/i.test(p))) continue;
    if (type === '*/*' || type === 'application/*' || type === 'application/json') return true;
    if (!type.startsWith(CLUMIO_PREFIX)) continue;
    const versions = new Map<string, string>();
    for (const pair of type.slice(CLUMIO_PREFIX.length).replace(/\+json$/, '').split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      versions.set(pair.slice(0, eq), pair.slice(eq + 1).replace(/\+json$/, ''));
    }
    const wanted = versions.get(resource.toLowerCase()) ?? versions.get('*');
    if (wanted === version.toLowerCase()) return true;
  }
  return false;
}
