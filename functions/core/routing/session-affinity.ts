/** Request headers that name a client session (Claude Code sends the first on every request). */
const SESSION_HEADERS = ['x-claude-code-session-id', 'x-switchyard-session'];

/**
 * A random source fixed by the request's session, for a load-balanced alias (DESIGN §2): every
 * request of one session draws the same weighted order of targets, so it keeps reaching the same
 * target (and that target's prompt cache) while it is healthy, and falls back as any request
 * does. `undefined` when the request names no session.
 */
export function sessionRandom(headers: Headers, alias: string): (() => number) | undefined {
  const session = SESSION_HEADERS.map((name) => headers.get(name)).find((value) => value !== null && value !== '');
  if (session === undefined || session === null) return undefined;
  // FNV-1a of session and alias seeds mulberry32: small, fast and well spread for this purpose.
  let seed = 0x811c9dc5;
  for (const char of `${session}\u0000${alias}`) seed = Math.imul(seed ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
