import { NEVER_FORWARDED_HEADERS } from '../core/config/never-forwarded';

const NEVER = new Set(NEVER_FORWARDED_HEADERS);

/**
 * The client headers a provider may receive: only those its config lists in `forwardHeaders`
 * (none by default), and never a credential or framing header even if listed (the config schema
 * refuses those too). Everything else the client sent stays at the gateway.
 */
export function forwardedHeaders(clientHeaders: Headers | undefined, allowed: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!clientHeaders || !allowed) return out;
  for (const name of allowed) {
    const lower = name.toLowerCase();
    if (NEVER.has(lower)) continue;
    const value = clientHeaders.get(lower);
    if (value !== null) out[lower] = value;
  }
  return out;
}
