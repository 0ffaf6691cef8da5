import { GatewayError } from '../errors';
import { checkJsonShape, type RequestLimits } from '../protocols/openai-chat/request-limits';
import { parseJsonBody } from '../protocols/openai-chat/validate';
import { clientClosedError } from './request-signal';

/** 413 for a body over the configured limit. */
function bodyTooLarge(limit: number): GatewayError {
  return new GatewayError({ verdict: 'final', status: 413, type: 'invalid_request_error', code: 'request_too_large', message: `The request body exceeds the limit of ${limit} bytes.`, errorClass: 'invalid_request' });
}

/**
 * Reads a JSON object body with a size limit: refused early on `content-length`, and counted while
 * reading for chunked bodies, so an oversized body is never held in memory whole. The parsed body
 * is checked against the depth and string-length limits. A body that breaks off while being read
 * means the client went away: that is `client_closed`, not a gateway failure.
 */
export async function readJsonBody(request: Request, limits: RequestLimits): Promise<{ body: Record<string, unknown>; size: number }> {
  const { body, size } = await readWithin(request, limits.maxBodyBytes);
  checkJsonShape(body, limits);
  return { body, size };
}

async function readWithin(request: Request, limit: number): Promise<{ body: Record<string, unknown>; size: number }> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw bodyTooLarge(limit);
  if (!request.body) return { body: parseJsonBody(''), size: 0 };
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw clientClosedError();
    });
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  text += decoder.decode();
  return { body: parseJsonBody(text), size };
}
