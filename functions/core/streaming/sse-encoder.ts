const encoder = new TextEncoder();

/** An SSE comment, ignored by clients; keeps idle connections (API Gateway, proxies) open. */
export const SSE_HEARTBEAT = encoder.encode(': ping\n\n');

/** One SSE event: `data:` with `data` as JSON (or as given, when a string), after `event:` when named. */
export function encodeSseEvent(data: unknown, event?: string): Uint8Array {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return encoder.encode(event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`);
}
