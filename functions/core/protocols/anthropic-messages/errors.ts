import type { GatewayError } from '../../errors';

/** Anthropic's error types by HTTP status (DESIGN §2). */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/** Anthropic's error envelope. */
interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/**
 * The Anthropic error envelope for `error`: the type its status has in Anthropic's API (`api_error`
 * for other 5xx, `overloaded_error` for an overloaded upstream), and the message.
 */
export function anthropicErrorBody(error: GatewayError): AnthropicErrorBody {
  const type = error.code === 'upstream_overloaded' ? 'overloaded_error' : (ERROR_TYPES[error.status] ?? (error.status >= 500 ? 'api_error' : 'invalid_request_error'));
  return { type: 'error', error: { type, message: error.message } };
}

/** The error as an Anthropic API answer: its status, the envelope and the retry headers. */
export function anthropicErrorResponse(error: GatewayError, headers: Record<string, string> = {}): Response {
  return error.toResponse(anthropicErrorBody(error), headers);
}
