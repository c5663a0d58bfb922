import { GraphQLError } from 'graphql';

/**
 * The gateway's error model: every error a client sees carries one of these stable codes in
 * `extensions.code` (the contract's *Errors* section). Expected failures are GraphQLErrors built
 * here; anything else is masked by the server (see yoga.ts).
 */
export type ErrorCode =
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'BAD_USER_INPUT'
  | 'QUERY_TOO_COMPLEX'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_ERROR'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'PERSISTED_QUERY_ONLY'
  | 'INTERNAL_SERVER_ERROR';

/** What Clumio said, as far as the response told us: HTTP status and its error body. */
export interface UpstreamDetails {
  status: number | null;
  errorCode: number | null;
  errorMessage: string | null;
}

declare module 'graphql' {
  interface GraphQLErrorExtensions {
    code?: ErrorCode;
    upstream?: UpstreamDetails;
    retryAfter?: number;
    /** A restore whose outcome is unknown: it may have started. */
    restoreMayHaveStarted?: boolean;
  }
}

/** Bad arguments or cursors: the caller can fix the request. Raised before any upstream call. */
export class BadUserInputError extends GraphQLError {
  constructor(message: string, argumentName?: string) {
    super(message, { extensions: { code: 'BAD_USER_INPUT', ...(argumentName ? { argumentName } : {}) } });
  }
}

/** The request carries no usable Clumio credential. Raised before any upstream call. */
export class MissingCredentialsError extends GraphQLError {
  constructor() {
    super(
      'No Clumio API token: send `Authorization: Bearer <Clumio API token>` (this gateway has no token of its own configured).',
      { extensions: { code: 'UNAUTHENTICATED' } },
    );
  }
}

/**
 * A failed upstream request. The message says what happened in Clumio's words where it gave any,
 * never the upstream URL or the credential.
 */
export class UpstreamError extends GraphQLError {
  readonly upstream: UpstreamDetails;
  constructor(code: ErrorCode, message: string, upstream: UpstreamDetails, retryAfter?: number, extra?: { restoreMayHaveStarted: true }) {
    super(message, {
      extensions: { code, upstream, ...(retryAfter !== undefined ? { retryAfter } : {}), ...extra },
    });
    this.upstream = upstream;
  }
}

/** Clumio answered, but with something we cannot use (a malformed body, a missing id...). */
export function unexpectedUpstream(what: string): UpstreamError {
  return new UpstreamError('UPSTREAM_ERROR', `Clumio sent an unexpected response: ${what}.`, {
    status: null,
    errorCode: null,
    errorMessage: null,
  });
}

/** Maps an upstream HTTP status to the contract's error code. */
export function codeForUpstreamStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return 'BAD_USER_INPUT';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 504) return 'UPSTREAM_TIMEOUT';
  return 'UPSTREAM_ERROR';
}
