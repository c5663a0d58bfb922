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
