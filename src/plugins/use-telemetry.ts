import { randomUUID } from 'node:crypto';
import { GraphQLError, getOperationAST, parse } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLFormattedError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { OperationTelemetry } from '../telemetry/operation-telemetry';
import type { TelemetrySinks } from '../telemetry/operation-telemetry';
import type { OperationType } from '../telemetry/metrics';
import { SpanStatusCode } from '../telemetry/tracing';
import type { Span } from '../telemetry/tracing';

/**
 * Request ids, the SERVER span, one log line and one count per operation.
 *
 * - Every request gets an id: the caller's `x-request-id` when it is 1 to 128 of `A-Z a-z 0-9 . _ -`,
 *   else a new UUID. It is echoed as the `x-request-id` response header, is in every log line of the
 *   request and is `extensions.requestId` on every error of the response.
 * - A request to the GraphQL endpoint gets a SERVER span (a child of the caller's `traceparent`), and
 *   each of its operations an `OperationTelemetry` (span, upstream calls), found by the context
 *   factory through `operationTelemetryOf`.
 * - When the response is ready, each operation is counted (`graphql_gateway_operations_total`, its
 *   duration) and logged at info with the response's HTTP status. Operations refused at parse or
 *   validation count too (they never reach the execute hooks, so this plugin follows them from
 *   `onParams`); a request refused before any operation was read (CSRF, a body that is not JSON) is
 *   not counted, but logs one line.
 * - An incremental result (@defer, @stream) is a stream of payloads sent after the response starts:
 *   its operation is counted and logged when the last payload is sent (or the client goes away),
 *   with the upstream calls and error codes of every payload. Errors in any streamed payload
 *   (subscription events included) get the request id too.
 */

const CALLER_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

interface RequestRecord {
  requestId: string;
  /** Null outside the GraphQL endpoint (/health, /readiness, /metrics): no span, no log line. */
  span: Span | null;
  startedAt: number;
  /** Each operation with the parameters it came with, in the request's (batch's) order. */
  operations: Array<{ telemetry: OperationTelemetry; params: OperationParams }>;
  /** The results yoga sends, one per operation (after request ids were added to their errors). */
  results: unknown[] | null;
  /** The payloads of an incremental result, while yoga sends them; null for any other result. */
  stream: StreamRecord | null;
}

interface StreamRecord {
  ended: boolean;
  /** The error codes of every payload so far, in order. */
  errorCodes: string[];
  /** The response's status, kept from `onResponse` until the last payload is sent. */
  status: number | null;
}

type OperationParams = { query?: string | undefined; operationName?: string | null | undefined };

const operations = new WeakMap<object, OperationTelemetry>();

/** The telemetry of the operation a GraphQL context belongs to (set before the context factory runs). */
export function operationTelemetryOf(context: object): OperationTelemetry | undefined {
  return operations.get(context);
}

export function useTelemetry(sinks: TelemetrySinks, graphqlEndpoint: string): Plugin {
  const requests = new WeakMap<Request, RequestRecord>();
  const { logger, tracing } = sinks;

  return {
    onRequest({ request, url }) {
      const given = request.headers.get('x-request-id');
      const requestId = given !== null && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
      const span =
        url.pathname === graphqlEndpoint
          ? tracing.startServerSpan(`${request.method} ${graphqlEndpoint}`, request.headers, {
              'http.request.method': request.method,
              'http.route': graphqlEndpoint,
              'url.path': url.pathname,
              'url.scheme': url.protocol.replace(':', ''),
            })
          : null;
      requests.set(request, { requestId, span, startedAt: performance.now(), operations: [], results: null, stream: null });
    },

    onParams({ request, params, context }) {
      const record = requests.get(request);
      if (!record?.span) return;
      const operation = new OperationTelemetry(sinks, record.span, record.requestId);
      record.operations.push({ telemetry: operation, params });
      operations.set(context, operation);
    },

    onParse({ context }) {
      const operation = operations.get(context);
      if (!operation) return;
      return ({ result }) => {
        operation.parsed = true;
        if (result instanceof Error || !result) return;
        const ast = getOperationAST(result as DocumentNode, context.params.operationName);
        operation.parsedAs(ast?.name?.value ?? null, ast?.operation ?? null);
      };
    },

    onValidate({ context }) {
      const operation = operations.get(context);
      if (!operation) return;
      return ({ valid }) => {
        if (valid) operation.validated();
      };
    },

    onResultProcess(payload) {
      const record = requests.get(payload.request);
      if (!record) return;
      const { result } = payload;
      if (isAsyncIterable(result)) {
        // Followed to its end only when yoga sends it (without a processor it answers 406 at once),
        // and not for a subscription: it may run for hours, and is counted when its response starts.
        const follow =
          record.span !== null &&
          payload.resultProcessor !== undefined &&
          record.operations.length === 1 &&
          record.operations[0]?.telemetry.type !== 'subscription';
        const stream = observeStream(result, record.requestId, follow ? (state) => finishRequest(record, state.status) : null);
        if (follow) {
          record.stream = stream.state;
          // A client that leaves before yoga read the stream: it is then never read, nor returned.
          payload.request.signal.addEventListener('abort', stream.end, { once: true });
        }
        payload.setResult(stream.result as typeof result);
        return;
      }
      const results = Array.isArray(result) ? result : [result];
      const withIds = results.map((one) => withRequestId(one, record.requestId));
      record.results = withIds;
      if (withIds.some((one, index) => one !== results[index])) payload.setResult((Array.isArray(result) ? withIds : withIds[0]) as typeof result);
    },

    onResponse({ request, response }) {
      const record = requests.get(request);
      if (!record) return;
      response.headers.set('x-request-id', record.requestId);
      if (!record.span) return;
      const { stream } = record;
      // Payloads are still to be sent: the operation finishes with the last of them.
      if (stream && !stream.ended) {
        stream.status = response.status;
        return;
      }
      finishRequest(record, response.status);
    },
  };

  /** Counts and logs each operation of the request, and ends its SERVER span. */
  function finishRequest(record: RequestRecord, status: number | null): void {
    const { span } = record;
    if (!span || status === null) return;
    const traceId = span.spanContext().traceId;
    const codesAt = (index: number): string[] => record.stream?.errorCodes ?? codesOf(record.results?.[index]);

    if (record.operations.length === 0) {
      const errorCodes = codesAt(0);
      // GraphiQL's page is no operation and no failure: nothing to log.
      if (status >= 400 || errorCodes.length > 0) {
        const durationMs = performance.now() - record.startedAt;
        logger.info(logLine(record.requestId, null, 'unknown', status, durationMs, 0, errorCodes, traceId), 'graphql request');
      }
    }
    record.operations.forEach(({ telemetry: operation, params }, index) => {
      const errorCodes = codesAt(index);
      // Only an answer without errors (a cache hit) is named by parsing here: a refusal before
      // parsing (a persisted-documents rule, a request check) stays unparsed, as it was refused.
      if (!operation.parsed && errorCodes.length === 0) identifyUnparsed(operation, params);
      const durationMs = operation.finish(errorCodes[0] ?? 'ok', errorCodes);
      logger.info(
        logLine(record.requestId, operation.name, operation.type, status, durationMs, operation.upstreamCalls, errorCodes, traceId),
        'graphql request',
      );
    });

    span.setAttribute('http.response.status_code', status);
    if (status >= 500) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * The streamed result as yoga sends it, each payload with request ids on its errors and its error
 * codes recorded; `end` (at the last payload, a failure, the client going away) runs `onEnd` once.
 */
function observeStream(result: AsyncIterable<unknown>, requestId: string, onEnd: ((state: StreamRecord) => void) | null) {
  const state: StreamRecord = { ended: false, errorCodes: [], status: null };
  const end = (): void => {
    if (state.ended) return;
    state.ended = true;
    onEnd?.(state);
  };
  const observed: AsyncIterable<unknown> = {
    [Symbol.asyncIterator](): AsyncIterator<unknown> {
      const iterator = result[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const step = await iterator.next();
            if (step.done) {
              end();
              return step;
            }
            state.errorCodes.push(...payloadCodes(step.value));
            return { done: false, value: payloadWithRequestId(step.value, requestId) };
          } catch (error) {
            end();
            throw error;
          }
        },
        async return(value?: unknown) {
          try {
            return (await iterator.return?.(value)) ?? { done: true, value };
          } finally {
            end();
          }
        },
      };
    },
  };
  return { result: observed, state, end };
}

/** A streamed payload's errors: its own and those of each increment (`incremental[].errors`). */
function payloadCodes(payload: unknown): string[] {
  return [...codesOf(payload), ...incrementsOf(payload).flatMap(codesOf)];
}

function payloadWithRequestId(payload: unknown, requestId: string): unknown {
  const withIds = withRequestId(payload, requestId);
  const increments = incrementsOf(withIds);
  if (!increments.some((increment) => (increment as ExecutionResult).errors?.length)) return withIds;
  return { ...(withIds as object), incremental: increments.map((increment) => withRequestId(increment, requestId)) };
}

function incrementsOf(payload: unknown): unknown[] {
  const incremental = typeof payload === 'object' && payload !== null ? (payload as { incremental?: unknown }).incremental : undefined;
  return Array.isArray(incremental) ? (incremental as unknown[]) : [];
}

function logLine(
  requestId: string,
  operationName: string | null,
  operationType: OperationType,
  status: number,
  durationMs: number,
  upstreamCalls: number,
  errorCodes: string[],
  traceId: string,
) {
  return { requestId, operationName, operationType, status, durationMs: Math.round(durationMs * 1000) / 1000, upstreamCalls, errorCodes, traceId };
}

/**
 * An operation answered without parsing (a response-cache hit): the cache stores only query results
 * without errors, so the document is valid; it is parsed here, once, for its name and type.
 */
function identifyUnparsed(operation: OperationTelemetry, params: OperationParams): void {
  if (!params.query) return;
  try {
    const ast = getOperationAST(parse(params.query, { noLocation: true }), params.operationName);
    if (ast) operation.identify(ast.name?.value ?? null, ast.operation);
  } catch {
    // Not a document after all: it stays anonymous and unknown.
  }
}

/** The `extensions.code` of each error of a result, in order. */
function codesOf(result: unknown): string[] {
  if (typeof result !== 'object' || result === null || Symbol.asyncIterator in result) return [];
  const errors = (result as ExecutionResult).errors;
  if (!errors) return [];
  return errors.map((error) => {
    const code = (error as GraphQLFormattedError).extensions?.code;
    return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
  });
}

/**
 * The result with `extensions.requestId` on each error. A new result and new errors: a result may be
 * shared with other requests (coalesced by the response cache), each with its own id. Yoga's
 * `extensions.originalError` on HTTP-level errors (the JSON parser's message) is internals, and dropped.
 */
function withRequestId(result: unknown, requestId: string): unknown {
  if (typeof result !== 'object' || result === null || Symbol.asyncIterator in result) return result;
  const errors = (result as ExecutionResult).errors;
  if (!errors?.length) return result;
  return {
    ...(result as ExecutionResult),
    errors: errors.map((error) =>
      error instanceof GraphQLError
        ? new GraphQLError(error.message, {
            nodes: error.nodes,
            source: error.source,
            positions: error.positions,
            path: error.path,
            originalError: error.originalError,
            extensions: { ...withoutInternals(error.extensions), requestId },
          })
        : { ...(error as object), extensions: { ...withoutInternals((error as GraphQLFormattedError).extensions), requestId } },
    ),
  };
}

/**
 * Yoga sends an HTTP-level error's 4xx status to an `application/json` client only while the error
 * carries its `originalError` (the JSON parser's message); without it, its status is no longer
 * marked as for `application/graphql-response+json` alone (`spec`), so every client still gets it.
 */
function withoutInternals(extensions: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!extensions || !('originalError' in extensions)) return extensions ?? {};
  const { originalError: _dropped, http, ...rest } = extensions;
  const status = (http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? { ...rest, http: { status } } : rest;
}
