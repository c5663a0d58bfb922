import { BREAK, OperationTypeNode, getOperationAST, visit } from 'graphql';
import type { DocumentNode } from 'graphql';
import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { perOperation } from '../graphql/per-operation';

/**
 * Executes queries and mutations with graphql-jit: each operation is compiled once into plain
 * JavaScript and then runs without graphql-js's per-field interpretation (argument coercion, type
 * checks, path bookkeeping on every field of every item). Compiled operations are kept with their
 * parsed document, which yoga's parse cache already bounds.
 *
 * Where graphql-jit and graphql-js disagree, graphql-js decides:
 * - Variables: graphql-jit refuses some valid ones (an omitted non-null input field that has a
 *   default, such as `orderBy: { direction: ASC }`) and words its refusals its own way, without the
 *   BAD_USER_INPUT code or our scalars' messages. Its refusal is never sent: the operation runs on
 *   graphql-js instead, which either executes it or reports the variables as the contract says.
 * - A document graphql-jit cannot compile runs on graphql-js.
 * - Lists of per-item promises are settled before graphql-jit sees them (graphql/list-items.ts).
 * - Subscriptions, and documents using @defer or @stream (graphql-jit has no incremental
 *   delivery), are left to the regular executor; the check is made once per document.
 */

export function useCompiledExecution(schema: GraphQLSchema): Plugin {
  const compiledFor = perOperation((document, operationName): CompiledQuery | null => {
    const operation = getOperationAST(document, operationName);
    if (!operation || operation.operation === OperationTypeNode.SUBSCRIPTION || deliversIncrementally(document)) return null;
    // Stack traces of field errors are never shown to a client; capturing them is wasted work.
    const result = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
    return isCompiledQuery(result) ? result : null;
  });

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const { document, operationName } = args as ExecutionArgs;
      const query = compiledFor(document, operationName);
      if (!query) return;
      setExecuteFn((executionArgs: ExecutionArgs) => {
        const result = query.query(executionArgs.rootValue, executionArgs.contextValue, executionArgs.variableValues);
        // Without `data`, graphql-jit refused the variables before executing anything.
        if (!(result instanceof Promise) && !('data' in result)) return executeFn(executionArgs) as Promise<ExecutionResult> | ExecutionResult;
        return result;
      });
    },
  };
}

/** True when the document uses @defer or @stream anywhere (its fragments included). */
function deliversIncrementally(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
