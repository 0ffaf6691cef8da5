/**
 * One error family for everything the gateway can answer with. Every error carries its HTTP
 * meaning and renders as the OpenAI envelope `{"error":{"message","type","param","code"}}`.
 */

/**
 * What routing may do after a provider error:
 * - `retryable`: try the same target again (after backoff), then fall back;
 * - `fallback`: do not retry this target, but another target may succeed;
 * - `final`: the request itself is wrong; answer the client now.
 */
export type ErrorVerdict = 'retryable' | 'fallback' | 'final';

/**
 * Classes of upstream failure that routing config can name (`fallbackOn`).
 * `client` covers everything that is the caller's fault (bad request, bad key).
 */
export type ErrorClass =
  | 'rate_limit'
  | 'server_error'
  | 'timeout'
  | 'connection'
  | 'context_length'
  | 'content_policy'
  | 'auth'
  | 'not_found'
  | 'invalid_request'
  | 'client';

/** Constructor options of {@link GatewayError}. */
export interface GatewayErrorOptions {
  status: number;
  message: string;
  type: string;
  code?: string | null;
  param?: string | null;
  /** What routing may do next; required, so no error is silently final. */
  verdict: ErrorVerdict;
  /** The class `fallbackOn` and the circuit breaker judge it by; required like the verdict. */
  errorClass: ErrorClass;
  /** Milliseconds the upstream asked us to wait (`retry-after`, Gemini `RetryInfo`). */
  retryAfterMs?: number;
  /** Provider that produced the error, for logs and usage events. */
  provider?: string;
  /**
   * Tells OpenAI SDKs whether retrying can help (`x-should-retry`); false for errors that will
   * not clear by themselves soon, such as an exhausted budget.
   */
  clientShouldRetry?: boolean;
  /**
   * The HTTP status the provider answered with, when it differs in meaning from `status` (an
   * upstream 500 is our 502): `retry.onStatus` is matched against it.
   */
  upstreamStatus?: number;
  cause?: unknown;
}

/**
 * An error with an HTTP status, a `type`/`code`/`param` (OpenAI's vocabulary; each ingress
 * protocol renders it in its own envelope), and a routing verdict.
 *
 * @example
 * throw new GatewayError({ status: 400, type: 'invalid_request_error', message: '...', param: 'messages' });
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly verdict: ErrorVerdict;
  readonly errorClass: ErrorClass;
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly clientShouldRetry: boolean | undefined;
  readonly upstreamStatus: number | undefined;

  constructor(options: GatewayErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.verdict = options.verdict;
    this.errorClass = options.errorClass;
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.clientShouldRetry = options.clientShouldRetry;
    this.upstreamStatus = options.upstreamStatus;
  }

  /** The most specific name of this error (its code, else its type), as logs and usage events record it. */
  get errorType(): string {
    return this.code ?? this.type;
  }

  /**
   * A JSON `Response` with this error's status, `body` (the envelope of the client's protocol),
   * `retry-after` (429, 503) when known, and `x-should-retry` when the gateway has an opinion.
   */
  toResponse(body: unknown, headers: Record<string, string> = {}): Response {
    const all: Record<string, string> = { 'content-type': 'application/json', ...headers };
    if (this.retryAfterMs !== undefined && (this.status === 429 || this.status === 503)) {
      all['retry-after'] = String(Math.max(1, Math.ceil(this.retryAfterMs / 1000)));
    }
    if (this.clientShouldRetry !== undefined) all['x-should-retry'] = String(this.clientShouldRetry);
    return new Response(JSON.stringify(body), { status: this.status, headers: all });
  }
}

/** 400 for a malformed request; `param` names the offending field. */
export function invalidRequest(message: string, param: string | null = null, code: string | null = null): GatewayError {
  return new GatewayError({ verdict: 'final', status: 400, type: 'invalid_request_error', message, param, code, errorClass: 'invalid_request' });
}

/** 401 for a missing, unknown, revoked or expired virtual key. */
export function authenticationError(message: string, code = 'invalid_api_key'): GatewayError {
  return new GatewayError({ verdict: 'final', status: 401, type: 'authentication_error', message, code, errorClass: 'client' });
}

/** 403 when the key may not use the requested model alias. */
export function permissionDenied(message: string, code = 'model_not_allowed'): GatewayError {
  return new GatewayError({ verdict: 'final', status: 403, type: 'permission_error', message, code, errorClass: 'client' });
}

/** 404 for an unknown model alias. */
export function modelNotFound(model: string): GatewayError {
  return new GatewayError({
    verdict: 'final',
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: 'model',
    message: `The model '${model}' does not exist or is not configured in this gateway.`,
    errorClass: 'not_found',
  });
}

/** 404 for an unknown route. */
export function routeNotFound(method: string, path: string): GatewayError {
  return new GatewayError({
    verdict: 'final',
    errorClass: 'client',
    status: 404,
    type: 'invalid_request_error',
    code: 'unknown_url',
    message: `Unknown request URL: ${method} ${path}.`,
  });
}

/** 503 when a store the gateway must consult is unavailable (fail closed). */
export function serviceUnavailable(message: string, cause?: unknown): GatewayError {
  return new GatewayError({ verdict: 'final', status: 503, type: 'service_unavailable', code: 'service_unavailable', message, cause, errorClass: 'server_error' });
}

/** Wraps anything thrown into a GatewayError, hiding internals behind a 500. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError({ verdict: 'final', status: 500, type: 'server_error', code: 'internal_error', message: 'Internal gateway error.', cause: error, errorClass: 'server_error' });
}
