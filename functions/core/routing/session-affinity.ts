import { mulberry32, seedOf } from './seeded-random';

/** Request headers that name a client session (Claude Code sends the first on every request). */
const SESSION_HEADERS = ['x-claude-code-session-id', 'x-switchyard-session'];

/**
 * A random source fixed by the request's session, for a load-balanced alias (DESIGN §2): every
 * request of one session draws the same weighted order of targets, so it keeps reaching the same
 * target (and that target's prompt cache) while it is healthy, and falls back as any request
 * does. The session is named by a header or, failing that, by the body's prompt-cache key
 * (`cacheKey`, which Codex sets per conversation). `undefined` when the request names no session.
 */
export function sessionRandom(headers: Headers, alias: string, cacheKey?: string): (() => number) | undefined {
  const session = SESSION_HEADERS.map((name) => headers.get(name)).find((value) => value !== null && value !== '') ?? cacheKey;
  if (session === undefined || session === null) return undefined;
  return mulberry32(seedOf(`${session}\u0000${alias}`));
}
