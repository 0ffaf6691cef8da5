import type { GatewayError } from '../../core/errors';
import { classifyUpstreamError } from '../error-mapping';
import { retryAfterFromHeaders } from '../http-provider';
import type { ErrorParser } from '../../core/ports/provider';

/**
 * HTTP status Anthropic uses for each error `type` (Anthropic "Errors" docs). Stream errors
 * arrive after a 200, so their type is all there is to classify them by. `billing_error` is an
 * account problem of ours, like a bad key: another target may work.
 */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 403,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Anthropic's context-overflow messages, which the shared table does not all recognise. */
const CONTEXT_OVERFLOW = /prompt is too long|exceed context limit|context window/i;

/** The `error` object of an Anthropic error body, when the text is one. */
function readAnthropicError(text: string): { type?: string; message?: string } | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { type?: unknown; message?: unknown } };
    const error = parsed?.error;
    if (!error || typeof error !== 'object') return undefined;
    return {
      type: typeof error.type === 'string' ? error.type : undefined,
      message: typeof error.message === 'string' ? error.message : undefined,
    };
  } catch {
    return undefined;
  }
}

function classify(status: number, type: string | undefined, message: string, providerName: string, retryAfterMs?: number): GatewayError {
  const providerCode = CONTEXT_OVERFLOW.test(message) ? 'context_length_exceeded' : type;
  return classifyUpstreamError({ status, message, providerName, providerCode, retryAfterMs });
}

/**
 * Maps a non-2xx Anthropic answer (`{"type":"error","error":{"type","message"}}`, or anything
 * else a proxy may return) to a GatewayError with a routing verdict: 429/529/5xx retryable
 * (with `retry-after`), context overflow and auth/billing problems fallback-worthy, the rest final.
 */
export const parseAnthropicError: ErrorParser = (status, body, headers, providerName) => {
  const error = readAnthropicError(body);
  const message = error?.message ?? (body.trim().slice(0, 200) || `HTTP ${status}`);
  const effectiveStatus = error?.type === 'billing_error' ? 403 : status;
  return classify(effectiveStatus, error?.type, message, providerName, retryAfterFromHeaders(headers));
};

/**
 * Maps an `event: error` inside a stream to a GatewayError through the status Anthropic gives
 * that error type over HTTP (`overloaded_error` → 529 → 503 retryable); unknown types count as
 * a server error.
 */
export function anthropicStreamError(data: string, providerName: string): GatewayError {
  const error = readAnthropicError(data);
  const status = (error?.type && STATUS_BY_TYPE[error.type]) || 500;
  return classify(status, error?.type, error?.message ?? 'Stream error.', providerName);
}
