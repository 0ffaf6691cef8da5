const encoder = new TextEncoder();

/** An SSE comment, ignored by clients; keeps idle connections (API Gateway, proxies) open. */
export const SSE_HEARTBEAT = encoder.encode(': ping\n\n');

/** One SSE event: `data:` with `data` as JSON (or as given, when a string), after `event:` when named. */
export function encodeSseEvent(data: unknown, event?: string): Uint8Array {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return encoder.encode(event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`);
}

/** Several encoded pieces as one write (`undefined` for none), so an event group leaves in one chunk. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
