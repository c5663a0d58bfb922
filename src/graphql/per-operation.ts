import type { DocumentNode } from 'graphql';

/**
 * One value per operation of a parsed document, made on first use and kept with the document: a
 * compiled query, a cost function. Documents come from yoga's parse cache, which bounds them; a
 * document it drops takes its values with it (a WeakMap).
 */
export function perOperation<T>(make: (document: DocumentNode, operationName: string | null | undefined) => T) {
  const made = new WeakMap<DocumentNode, Map<string, T>>();
  return (document: DocumentNode, operationName: string | null | undefined): T => {
    let byName = made.get(document);
    if (!byName) made.set(document, (byName = new Map<string, T>()));
    const key = operationName ?? '';
    if (byName.has(key)) return byName.get(key) as T;
    const value = make(document, operationName);
    byName.set(key, value);
    return value;
  };
}
