import type { GatewayError } from '../../core/errors';
import { classifyUpstreamError } from '../error-mapping';
import { retryAfterFromHeaders } from '../http-provider';

/** Maps an OpenAI-style error response (`{"error":{"message","type","code"}}`) to a GatewayError. */
export function parseOpenAiError(status: number, body: string, headers: Headers, providerName: string): GatewayError {
  let message = body.slice(0, 500) || `HTTP ${status}`;
  let providerCode: string | undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string; code?: string | null; type?: string } };
    if (parsed.error) {
      message = parsed.error.message ?? message;
      providerCode = parsed.error.code ?? parsed.error.type ?? undefined;
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the text excerpt.
  }
  return classifyUpstreamError({ status, message, providerName, providerCode, retryAfterMs: retryAfterFromHeaders(headers) });
}
