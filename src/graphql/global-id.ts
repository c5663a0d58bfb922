import { BadUserInputError } from '../errors';

/**
 * Relay global object IDs: base64url("<Type>:<id>"). Opaque to clients; the type prefix lets
 * `node` know which loader to ask.
 */
export type NodeTypeName = 'Ec2InstanceBackup' | 'Ec2Instance' | 'ClumioTask';

const NODE_TYPES: ReadonlySet<string> = new Set<NodeTypeName>(['Ec2InstanceBackup', 'Ec2Instance', 'ClumioTask']);

export function toGlobalId(type: NodeTypeName, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export function fromGlobalId(globalId: string): { type: NodeTypeName; id: string } {
  const decoded = /^[A-Za-z0-9_-]{1,1024}$/.test(globalId) ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const type = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  if (colon < 1 || !NODE_TYPES.has(type) || id.length === 0 || toGlobalId(type as NodeTypeName, id) !== globalId) {
    throw new BadUserInputError(
      `${JSON.stringify(globalId.slice(0, 80))} is not an ID this API issued: pass an \`id\` field's value unchanged.`,
      'id',
    );
  }
  return { type: type as NodeTypeName, id };
}
