/**
 * Lists whose items settle one by one (`nodes(ids:)`, `_entities`): each item is a promise, and one
 * failing item must null its own position only, with its error at that path.
 *
 * The item promises are made never to reject: a failure becomes the Error itself as the item's
 * value, which graphql-js and graphql-jit both turn into a field error at that index (a resolver may
 * return an Error; graphql-js documents it). A rejected item promise is what graphql-jit 0.8 gets
 * wrong: it pushes the null to the end of the list instead of setting it at the item's index, which
 * drops or shifts positions.
 */
export function settleListItems<T>(items: ReadonlyArray<T | Promise<T>>): Array<T | Error | Promise<T | Error>> {
  return items.map((item) => (item instanceof Promise ? item.catch(asError) : item));
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
