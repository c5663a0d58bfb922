/** The wire key each resolver made by wireField reads. */
const wireKeys = new WeakMap<object, PropertyKey>();

/**
 * Field resolvers that read one Clumio wire field. Typed against the wire type, so a GraphQL field
 * mapped to a missing or differently typed wire field fails the type check.
 */
export function wireField<T, K extends keyof T>(key: K): (parent: T) => NonNullable<T[K]> | null {
  const resolve = (parent: T): NonNullable<T[K]> | null => parent[key] ?? null;
  wireKeys.set(resolve, key);
  return resolve;
}

/**
 * The wire key a resolver made by wireField reads; undefined for any other resolver. A field whose
 * resolver reads the wire key of its own name is what GraphQL's default resolution does already
 * (graphql/schema.ts drops such resolvers from the executable schema).
 */
export function wireKeyOf(resolver: unknown): PropertyKey | undefined {
  return typeof resolver === 'function' ? wireKeys.get(resolver) : undefined;
}

/**
 * A Clumio string for a GraphQL enum whose internal values are Clumio's strings (codegen's
 * `enumValues`). A value Clumio adds later becomes null instead of failing the response.
 */
export function knownValue<V extends string>(known: readonly V[]): (value: string | null | undefined) => V | null {
  const set: ReadonlySet<string> = new Set(known);
  return (value) => (value != null && set.has(value) ? (value as V) : null);
}
