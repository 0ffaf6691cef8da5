import type { AssistantPart, ReasoningState } from './request';

/**
 * The canonical result of a call (DESIGN §1): a whole completion, or a stream of events. Each
 * provider translates its answer into it; each ingress protocol encodes it in its wire format.
 */

/** Why the model stopped. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * Token usage. `inputTokens` counts every prompt token, cached ones included; `cachedInputTokens`
 * and `cacheWriteTokens` are parts of it priced apart; `reasoningTokens` is part of `outputTokens`.
 */
export interface CanonicalUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/** A whole answer. */
export interface CanonicalCompletion {
  /** The provider's id for the answer, when it gave one. */
  id?: string;
  /** The model that answered, as the provider named it. */
  model?: string;
  content: AssistantPart[];
  finishReason: FinishReason;
  /** Further answers, when the client asked for several (OpenAI `n`) and the provider gave them. */
  alternatives?: Array<{ content: AssistantPart[]; finishReason: FinishReason }>;
  usage?: CanonicalUsage;
}

/**
 * One event of a streamed answer. Tool calls are numbered from 0 in the order they start
 * (`index`); their arguments arrive as deltas. `reasoning_state` closes a reasoning block with its
 * opaque state. `usage` may come more than once (the last one counts); `finish` comes once per
 * answer, after its content. `choice` numbers the answers when there are several (OpenAI `n`);
 * it is 0 when absent.
 */
export type CanonicalStreamEvent =
  | { type: 'start'; id?: string; model?: string }
  | { type: 'text'; text: string; choice?: number }
  | { type: 'reasoning'; text: string; choice?: number }
  | { type: 'reasoning_state'; text: string; state: ReasoningState; choice?: number }
  | { type: 'tool_call_start'; index: number; id: string; name: string; kind: 'function' | 'custom'; thoughtSignature?: string; choice?: number }
  | { type: 'tool_call_delta'; index: number; arguments: string; choice?: number }
  | { type: 'usage'; usage: CanonicalUsage }
  | { type: 'finish'; reason: FinishReason; choice?: number };
