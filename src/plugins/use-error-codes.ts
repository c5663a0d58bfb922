import type { Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import type { ExecutionResult, ValidationRule } from 'graphql';

/**
 * Every error a client sees carries `extensions.code`. Yoga and graphql-js already tag parse and
 * validation failures; what remains are request errors raised before execution starts (a variable
 * of the wrong type, a missing required variable): the caller's input, so BAD_USER_INPUT.
 *
 * An operation type the schema does not have (`mutation` or `subscription` here) is a validation
 * failure: graphql-js's rules do not check it and its executor would answer with a bare error that
 * yoga masks as INTERNAL_SERVER_ERROR.
 */
export function useErrorCodes(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(knownOperationTypes);
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          const single = result as ExecutionResult;
          // A result without `data` is one where execution never started.
          if (!('errors' in single) || !single.errors || 'data' in single) return;
          setResult({
            ...single,
            errors: single.errors.map((error) =>
              // graphql-jit's errors may have no `extensions` at all, whatever graphql-js's type says.
              // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
              error.extensions?.code
                ? error
                : new GraphQLError(error.message, {
                    nodes: error.nodes,
                    source: error.source,
                    positions: error.positions,
                    path: error.path,
                    originalError: error.originalError,
                    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
                  }),
            ),
          });
        },
      };
    },
  };
}

const knownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    if (schema.getRootType(node.operation)) return;
    const kinds = ['query', schema.getMutationType() ? 'mutation' : null, schema.getSubscriptionType() ? 'subscription' : null].filter(Boolean);
    context.reportError(
      new GraphQLError(`This schema has no ${node.operation} operations; it serves ${kinds.join(' and ')} operations.`, { nodes: [node] }),
    );
  },
});
