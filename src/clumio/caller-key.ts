import { createHash } from 'node:crypto';
import type { ClumioCaller } from './clumio-client';

/**
 * A caller's identity as a key for shared state (the rate limiter, the response cache): a hash of the
 * credential and the organizational unit. The credential itself is never stored, in memory maps or
 * in Redis.
 */
export function callerKey(caller: ClumioCaller): string {
  return createHash('sha256')
    .update(caller.token)
    .update('\n')
    .update(caller.organizationalUnit ?? '')
    .digest('base64url');
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The caller's own `Authorization: Bearer` token, or null. */
export function bearerTokenOf(request: Request): string | null {
  return BEARER.exec(request.headers.get('authorization') ?? '')?.[1] ?? null;
}

/** The caller's `X-Clumio-OrganizationalUnit-Context`, or null. */
export function organizationalUnitOf(request: Request): string | null {
  return request.headers.get('x-clumio-organizationalunit-context')?.trim() || null;
}
