/**
 * Field resolvers that read one Clumio wire field. Typed against the wire type, so a GraphQL field
 * mapped to a missing or differently typed wire field fails the type check.
 */
export function wireField<T, K extends keyof T>(key: K): (parent: T) => NonNullable<T[K]> | null {
  return (parent) => parent[key] ?? null;
}

/**
 * A Clumio string for a GraphQL enum whose internal values are Clumio's strings (codegen's
 * `enumValues`). A value Clumio adds later becomes null instead of failing the response.
 */
export function knownValue<V extends string>(known: readonly V[]): (value: string | null | undefined) => V | null {
  const set: ReadonlySet<string> = new Set(known);
  return (value) => (value != null && set.has(value) ? (value as V) : null);
}
