import { handleStreamOrSingleExecutionResult, maskError as yogaMaskError } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import { GraphQLError, Kind, getOperationAST } from 'graphql';
import type { DocumentNode, ExecutionResult } from 'graphql';

/**
 * Every error a client sees carries `extensions.code`. Yoga and graphql-js already tag parse and
 * validation failures; what remains are request errors raised before execution starts (a variable
 * of the wrong type, a missing required variable): the caller's input, so BAD_USER_INPUT.
 *
 * Mistakes in the request around the document are BAD_REQUEST (HTTP 400) saying what to send, where
 * yoga would answer a code of its own (OPERATION_RESOLUTION_FAILURE) or nothing at all: an empty
 * batch, a non-string `operationName`, an `operationName` the document does not define, several
 * operations and no `operationName`, a document of fragments only.
 */
/**
 * Yoga's masking, plus a code on what it lets through without one: GraphQLErrors we raise carry a
 * contract code and pass; anything else becomes "Unexpected error." with INTERNAL_SERVER_ERROR.
 */
export function maskGatewayError(error: unknown, message: string, isDev?: boolean): Error {
  const masked = yogaMaskError(error, message, isDev);
  // graphql-jit's field errors may have no `extensions` at all, whatever graphql-js's type says.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (masked instanceof GraphQLError && !masked.extensions?.code) {
    return new GraphQLError(masked.message, {
      nodes: masked.nodes,
      positions: masked.positions,
      path: masked.path,
      extensions: { ...masked.extensions, code: 'INTERNAL_SERVER_ERROR' },
    });
  }
  return masked;
}

/** An incremental payload (@defer, @stream): yoga masks only a result's top-level `errors`. */
interface IncrementalPayload {
  errors?: readonly GraphQLError[];
  incremental?: Array<{ errors?: readonly GraphQLError[] }>;
}

function maskIncremental(payload: IncrementalPayload): IncrementalPayload {
  const mask = (errors: readonly GraphQLError[] | undefined) => errors?.map((error) => maskGatewayError(error, 'Unexpected error.') as GraphQLError);
  return {
    ...payload,
    ...(payload.errors ? { errors: mask(payload.errors) } : {}),
    ...(payload.incremental ? { incremental: payload.incremental.map((part) => (part.errors ? { ...part, errors: mask(part.errors) } : part)) } : {}),
  };
}

export function useErrorCodes(): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult) && requestParserResult.length === 0) {
            throw badRequest('The batch is empty: send one operation as a JSON object, or a JSON array of them.');
          }
        },
      };
    },
    onParams({ params }) {
      const { operationName } = params as { operationName?: unknown };
      if (operationName != null && typeof operationName !== 'string') {
        throw badRequest(`operationName must be a string naming one operation of the document, not ${typeof operationName}.`);
      }
    },
    onParse({ context }) {
      // Before yoga's own check, which answers all of these with one vague message and its own code.
      return ({ result }) => {
        if (result instanceof Error || !result) return;
        const document = result as DocumentNode;
        const operationName = (context as { params?: { operationName?: string | null } }).params?.operationName ?? null;
        if (getOperationAST(document, operationName)) return;
        const names = document.definitions.flatMap((definition) =>
          definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? '(anonymous)'] : [],
        );
        if (names.length === 0) throw badRequest('The document defines no operation (only fragments): add a query.');
        throw badRequest(
          operationName === null
            ? `The document defines ${names.length} operations (${names.join(', ')}): send operationName to say which to run.`
            : `operationName ${JSON.stringify(operationName.slice(0, 100))} names no operation of the document; it defines ${names.join(', ')}.`,
        );
      };
    },
    onExecute() {
      return {
        onExecuteDone(payload) {
          // Every payload after the first of an incremental result: masked here, as yoga does not.
          if (Symbol.asyncIterator in (payload.result as object)) {
            return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => setResult(maskIncremental(result as IncrementalPayload) as typeof result));
          }
          const { result, setResult } = payload;
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

const badRequest = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
