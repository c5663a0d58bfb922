import { Kind } from 'graphql';
import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * What an operation selects below a field, for resolvers that fetch differently depending on it
 * (a connection that also shows `totalCount`, say). Fragments and inline fragments are followed;
 * `@skip`/`@include` are not evaluated, so a conditional field counts as selected: the answer may
 * only choose between equally correct ways of fetching, never change what is returned.
 *
 * Answers are remembered per field node: documents come from yoga's parse cache, so the walk runs
 * once per document, not once per request.
 */
const answers = new WeakMap<FieldNode, Map<string, boolean>>();

/** Does the selection of the field being resolved include `name` on the object it returns? */
export function selectsField(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, name: string): boolean {
  const node = info.fieldNodes[0];
  if (!node) return false;
  let byName = answers.get(node);
  if (!byName) answers.set(node, (byName = new Map<string, boolean>()));
  let answer = byName.get(name);
  if (answer === undefined) {
    answer = info.fieldNodes.some((field) => field.selectionSet !== undefined && includes(field.selectionSet, name, info.fragments, new Set()));
    byName.set(name, answer);
  }
  return answer;
}

function includes(set: SelectionSetNode, name: string, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (includes(selection.selectionSet, name, fragments, seen)) return true;
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment && includes(fragment.selectionSet, name, fragments, seen)) return true;
    }
  }
  return false;
}
