import type { GatewayError } from '../../core/errors';
import { classifyUpstreamError } from '../error-mapping';
import { retryAfterFromHeaders } from '../http-provider';

/** A `google.rpc.Status` error body as the Generative Language API sends it. */
interface GoogleRpcError {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: Array<{ '@type'?: string; retryDelay?: string; reason?: string }>;
  };
}

/**
 * Maps a Gemini error response (`{error:{code,message,status,details}}`) through the shared table.
 * `RetryInfo.retryDelay` (a protobuf Duration such as `"34.4s"`) becomes `retryAfterMs`, ahead of
 * any `retry-after` header. An invalid API key arrives as 400 `INVALID_ARGUMENT` with reason
 * `API_KEY_INVALID`; it is our credential, not the client's request, so it is classified as a 401.
 */
export function parseGeminiError(status: number, body: string, headers: Headers, providerName: string): GatewayError {
  let parsed: GoogleRpcError = {};
  try {
    parsed = JSON.parse(body) as GoogleRpcError;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status alone decides.
  }
  const error = parsed.error ?? {};
  const details = Array.isArray(error.details) ? error.details : [];
  const retryDelay = details.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
  const badKey = details.some((d) => d.reason === 'API_KEY_INVALID');
  return classifyUpstreamError({
    status: badKey ? 401 : status,
    message: error.message ?? (body.trim().slice(0, 500) || `HTTP ${status}`),
    providerName,
    providerCode: error.status,
    retryAfterMs: durationMs(retryDelay) ?? retryAfterFromHeaders(headers),
  });
}

/** Parses a protobuf JSON Duration (`"34.4s"`, `"1s"`, `"0.5s"`) into milliseconds. */
function durationMs(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
