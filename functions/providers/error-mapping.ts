import { GatewayError } from '../core/errors';

/** What a provider's error parser extracted from an upstream error response. */
export interface UpstreamErrorInfo {
  status: number;
  message: string;
  providerName: string;
  /** The provider's own error type/code (e.g. `overloaded_error`, `RESOURCE_EXHAUSTED`). */
  providerCode?: string;
  retryAfterMs?: number;
}

const CONTEXT_LENGTH = /context[_ ]length|context window|maximum context|too many (input )?tokens|prompt is too long|input is too long|exceeds the (maximum|max)[^.]*tokens|token count[^.]*exceeds/i;
const CONTENT_POLICY = /content[_ ]?(policy|filter|management)|safety|responsible ?ai|blocked|moderation/i;

/**
 * Maps an upstream HTTP error to the gateway's error family with a routing verdict
 * (DESIGN §2 statuses; issue "Faithful translation" §6). Shared by every provider so the same
 * failure means the same thing whichever provider produced it.
 *
 * - 400 context-length → 400 `context_length_exceeded`, verdict `fallback` (a larger model may fit);
 * - 400 content policy → 400 `content_filter`, verdict `fallback`;
 * - other 4xx from the request's content → 400 `invalid_request_error`, `final`;
 * - 401/403 (our provider credentials) and 404 (configured model missing) → 502, `fallback`;
 * - 408 → 504 `timeout`, 429 → 429 `rate_limit`, 5xx/529 → 502/503 `server_error`, all `retryable`.
 */
export function classifyUpstreamError(info: UpstreamErrorInfo): GatewayError {
  const { status, providerName } = info;
  const message = `${providerName}: ${info.message}`;
  const common = { provider: providerName, retryAfterMs: info.retryAfterMs, upstreamStatus: status };
  if (status === 429) {
    return new GatewayError({ ...common, status: 429, type: 'rate_limit_error', code: 'upstream_rate_limited', message, verdict: 'retryable', errorClass: 'rate_limit' });
  }
  if (status === 408) {
    return new GatewayError({ ...common, status: 504, type: 'timeout_error', code: 'upstream_timeout', message, verdict: 'retryable', errorClass: 'timeout' });
  }
  if (status >= 500) {
    const overloaded = status === 503 || status === 529;
    return new GatewayError({ ...common, status: overloaded ? 503 : 502, type: 'upstream_error', code: overloaded ? 'upstream_overloaded' : 'upstream_server_error', message, verdict: 'retryable', errorClass: 'server_error' });
  }
  if (status === 401 || status === 403) {
    return new GatewayError({ ...common, status: 502, type: 'upstream_error', code: 'upstream_auth_failed', message, verdict: 'fallback', errorClass: 'auth' });
  }
  if (status === 404) {
    return new GatewayError({ ...common, status: 502, type: 'upstream_error', code: 'upstream_model_not_found', message, verdict: 'fallback', errorClass: 'not_found' });
  }
  if (CONTEXT_LENGTH.test(info.message) || info.providerCode === 'context_length_exceeded') {
    return new GatewayError({ ...common, status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages', message, verdict: 'fallback', errorClass: 'context_length' });
  }
  if (CONTENT_POLICY.test(info.message) || info.providerCode === 'content_filter' || info.providerCode === 'content_policy_violation') {
    return new GatewayError({ ...common, status: 400, type: 'invalid_request_error', code: 'content_filter', message, verdict: 'fallback', errorClass: 'content_policy' });
  }
  return new GatewayError({ ...common, status: status === 413 ? 413 : 400, type: 'invalid_request_error', code: info.providerCode ?? 'upstream_invalid_request', message, verdict: 'final', errorClass: 'invalid_request' });
}

/**
 * An error event inside an already-started stream (Anthropic `event: error`, Bedrock exception
 * frames, OpenAI `data: {"error":…}`), mapped through the same table using the HTTP status the
 * provider would have answered with.
 */
export function streamError(providerName: string, status: number, message: string, providerCode?: string): GatewayError {
  return classifyUpstreamError({ status, message, providerName, providerCode });
}
