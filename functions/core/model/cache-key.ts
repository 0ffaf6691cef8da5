import type { CacheHint, CanonicalRequest, Message } from './request';

const BREAKPOINT: CacheHint = { type: 'ephemeral' };

/** Whether the client marked any part or tool of the request for the prompt cache itself. */
function hasCacheHints(request: CanonicalRequest): boolean {
  if (request.tools.some((tool) => tool.type === 'function' && tool.cache)) return true;
  return request.messages.some((message) => message.content.some((part) => 'cache' in part && part.cache !== undefined));
}

/** The message with a breakpoint on its last part that can carry one (not reasoning, audio or opaque parts). */
function markLastPart(message: Message): Message {
  const parts: Array<{ type: string; cache?: CacheHint }> = [...message.content];
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    if (!part || !['text', 'image', 'document', 'tool_call', 'tool_result'].includes(part.type)) continue;
    parts[i] = { ...part, cache: BREAKPOINT };
    return { ...message, content: parts } as Message;
  }
  return message;
}

/**
 * The request with prompt-cache breakpoints where the client named a cache key (OpenAI
 * `prompt_cache_key`, which Codex sends for every conversation) but marked nothing itself, for
 * targets whose caching needs explicit hints (Anthropic `cache_control`, Bedrock `cachePoint`):
 * one on the last system part, which caches the tools and the instructions, and one on the last
 * part of the last message, which caches the conversation so far for the next turn. Two of the
 * four breakpoints Claude allows. A request with hints of its own, or without a key, is returned
 * as it is.
 */
export function withCacheKeyBreakpoints(request: CanonicalRequest): CanonicalRequest {
  if (request.cacheKey === undefined || hasCacheHints(request)) return request;
  const messages = [...request.messages];
  const lastSystem = messages.findLastIndex((message) => message.role === 'system');
  const last = messages.length - 1;
  if (lastSystem >= 0 && lastSystem !== last) messages[lastSystem] = markLastPart(messages[lastSystem] as Message);
  if (last >= 0) messages[last] = markLastPart(messages[last] as Message);
  return { ...request, messages };
}
