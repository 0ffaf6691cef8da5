import type { ReasoningState } from '../../model/request';

/**
 * A reasoning item's `encrypted_content` carries the reasoning's opaque state back to the client
 * and, on the next turn, to the model (DESIGN §1). OpenAI's own encrypted reasoning goes as
 * OpenAI sent it; any other target's state (Claude's thinking signature, a redacted thinking
 * block) is wrapped as `sy1.<base64url JSON>`, so a client that hands the item back keeps the
 * model's thinking through a tool loop, whatever the target.
 */
const PREFIX = 'sy1.';

/** The `encrypted_content` of a reasoning state. */
export function encryptedContentOf(state: ReasoningState): string {
  if (state.format === 'openai') return state.encryptedContent;
  return PREFIX + toBase64Url(JSON.stringify(state));
}

/** The reasoning state in an `encrypted_content` (and the item's id, for OpenAI's). */
export function reasoningStateOf(encryptedContent: string, id: string | undefined): ReasoningState {
  if (encryptedContent.startsWith(PREFIX)) {
    try {
      const state = JSON.parse(fromBase64Url(encryptedContent.slice(PREFIX.length))) as ReasoningState;
      if (state.format === 'anthropic' || state.format === 'anthropic-redacted') return state;
    } catch {
      // Not ours after all: pass it on as OpenAI's.
    }
  }
  return id === undefined ? { format: 'openai', encryptedContent } : { format: 'openai', encryptedContent, id };
}

/** UTF-8 text as base64url, with the Web APIs the core is limited to (no Node `Buffer`). */
function toBase64Url(value: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(value: string): string {
  const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}
