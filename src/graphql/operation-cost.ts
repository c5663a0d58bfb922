import { Kind, OperationTypeNode, getNamedType, isCompositeType, isInterfaceType, isObjectType, valueFromASTUntyped } from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';

/**
 * The cost of an operation: how many objects it can make the gateway produce, counting the list
 * sizes the caller controls with their real values (literals and variables alike).
 *
 * - every object field costs 1 per object it can return;
 * - a connection's size is its `first`/`last` (10 when neither is given, as the resolver does);
 * - `nodes(ids:)` and `_entities(representations:)` cost the length of the list they are given;
 * - a selection under a list costs once per item of that list.
 *
 * Lists the caller does not control (a backup's volumes or tags) count as one object: they are
 * bounded by Clumio's data, not by the operation. Scalars and introspection are free.
 */

const DEFAULT_CONNECTION_SIZE = 10;
/**
 * Arguments above what the resolvers accept (first/last and nodes(ids) take at most 100) count as
 * 100 here: such operations are refused by the resolver with BAD_USER_INPUT, which says what to fix,
 * rather than here with QUERY_TOO_COMPLEX. `_entities` has no such limit and counts in full.
 */
const MAX_CHECKED_SIZE = 100;

/** One object field of the operation: how many items it yields per parent, and what is selected under it. */
interface CostNode {
  /** Items per parent object: 1, or a function of the variables (connections, `nodes`, `_entities`). */
  fanOut: number | ((variables: Readonly<Record<string, unknown>> | undefined) => number);
  children: CostNode[];
}

/**
 * The operation's cost as a function of its variables. The document is walked once; what remains
 * per request is reading the few list-size arguments and multiplying.
 */
export function compileOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): (variables: Readonly<Record<string, unknown>> | null | undefined) => number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return () => 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root =
    operation.operation === OperationTypeNode.QUERY
      ? schema.getQueryType()
      : operation.operation === OperationTypeNode.MUTATION
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return () => 0;

  const argument = (field: FieldNode, name: string, variables: Readonly<Record<string, unknown>> | undefined): unknown => {
    const node = field.arguments?.find((a) => a.name.value === name);
    return node ? valueFromASTUntyped(node.value, variables) : undefined;
  };

  /** How many items a field can return, from what the caller asked for. */
  const fanOut = (field: FieldNode, returnsConnection: boolean): CostNode['fanOut'] => {
    const name = field.name.value;
    if (name === 'nodes' || name === '_entities') {
      return (variables) => {
        const list = argument(field, name === 'nodes' ? 'ids' : 'representations', variables);
        if (Array.isArray(list)) return name === 'nodes' ? Math.min(list.length, MAX_CHECKED_SIZE) : list.length;
        return returnsConnection ? connectionSize(field, variables) : 1;
      };
    }
    return returnsConnection ? (variables) => connectionSize(field, variables) : 1;
  };
  const connectionSize = (field: FieldNode, variables: Readonly<Record<string, unknown>> | undefined): number => {
    const first = argument(field, 'first', variables);
    const last = argument(field, 'last', variables);
    const size = typeof first === 'number' ? first : typeof last === 'number' ? last : DEFAULT_CONNECTION_SIZE;
    return Math.min(MAX_CHECKED_SIZE, Math.max(0, size));
  };

  const visiting = new Set<string>();
  const nodesOf = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): CostNode[] => {
    const nodes: CostNode[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (on && isCompositeType(on)) nodes.push(...nodesOf(selection.selectionSet, on));
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visiting.has(fragment.name.value)) continue; // cycles are a validation error anyway
        const on = schema.getType(fragment.typeCondition.name.value);
        visiting.add(fragment.name.value);
        if (on && isCompositeType(on)) nodes.push(...nodesOf(fragment.selectionSet, on));
        visiting.delete(fragment.name.value);
      } else {
        if (selection.name.value.startsWith('__') || !selection.selectionSet) continue;
        const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (!definition) continue;
        const type = getNamedType(definition.type);
        if (!isCompositeType(type)) continue;
        nodes.push({ fanOut: fanOut(selection, type.name.endsWith('Connection')), children: nodesOf(selection.selectionSet, type) });
      }
    }
    return nodes;
  };
  const tree = nodesOf(operation.selectionSet, root);

  const costOf = (nodes: CostNode[], multiplier: number, variables: Readonly<Record<string, unknown>> | undefined): number => {
    let total = 0;
    for (const node of nodes) {
      const items = multiplier * (typeof node.fanOut === 'number' ? node.fanOut : node.fanOut(variables));
      total += items + costOf(node.children, items, variables);
    }
    return total;
  };
  return (variables) => costOf(tree, 1, variables ?? undefined);
}
