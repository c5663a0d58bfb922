import { getOperationAST } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

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
 * Subscriptions are left to graphql-js.
 */

type Compiled = CompiledQuery | null;

export function useCompiledExecution(): Plugin {
  const compiled = new WeakMap<DocumentNode, Map<string, Compiled>>();

  function compiledFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): Compiled {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let entry = byName.get(key);
    if (entry === undefined) {
      const operation = getOperationAST(document, operationName);
      entry = null;
      if (operation && operation.operation !== 'subscription') {
        // Stack traces of field errors are never shown to a client; capturing them is wasted work.
        const result = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
        if (isCompiledQuery(result)) entry = result;
      }
      byName.set(key, entry);
    }
    return entry;
  }

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const query = compiledFor(args.schema, args.document, args.operationName);
      if (!query) return;
      setExecuteFn((executionArgs) => {
        const result = query.query(executionArgs.rootValue, executionArgs.contextValue, executionArgs.variableValues);
        // Without `data`, graphql-jit refused the variables before executing anything.
        if (!(result instanceof Promise) && !('data' in result)) return executeFn(executionArgs);
        return result as ExecutionResult | Promise<ExecutionResult>;
      });
    },
  };
}
