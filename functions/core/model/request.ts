/**
 * The gateway's canonical request (DESIGN §1): protocol-neutral, and losing nothing a round trip
 * needs. Each ingress protocol (`functions/core/protocols/<protocol>/`) decodes its wire format
 * into it; each provider translates it into its own. Optional `source` fields name where a part
 * came from in the client's request (`messages[2].content[1]`), so a provider's 400 names the
 * parameter in the client's own protocol.
 */

/** Every `reasoning_effort` level the gateway knows, weakest first (`none` turns reasoning off). */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
/** One of {@link REASONING_EFFORTS}. */
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** A prompt-cache hint (Anthropic `cache_control`, also honoured by Bedrock Claude). */
export interface CacheHint {
  type: 'ephemeral';
  ttl?: string;
}

/** Where image or document bytes come from. */
export type MediaSource = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };

/** Plain text. */
export interface TextPart {
  type: 'text';
  text: string;
  cache?: CacheHint;
  source?: string;
}

/** An image, by URL or inline. */
export interface ImagePart {
  type: 'image';
  media: MediaSource;
  detail?: 'auto' | 'low' | 'high';
  cache?: CacheHint;
  source?: string;
}

/** A document (a PDF, a text file), by URL or inline. */
interface DocumentPart {
  type: 'document';
  media: MediaSource;
  filename?: string;
  cache?: CacheHint;
  source?: string;
}

/**
 * The opaque state that lets a provider verify and continue its own reasoning on the next turn:
 * Anthropic's thinking `signature`, a `redacted_thinking` block's data, OpenAI's
 * `encrypted_content`. It is only ever handed back to the provider family that produced it.
 */
export type ReasoningState =
  | { format: 'anthropic'; signature: string }
  | { format: 'anthropic-redacted'; data: string }
  | { format: 'openai'; encryptedContent: string; id?: string };

/** Reasoning the model did, with its opaque state when the provider gave one. */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  state?: ReasoningState;
  source?: string;
}

/**
 * A tool call the assistant made. `arguments` is JSON text for a function tool and the raw input
 * for a free-form (`custom`) tool. `thoughtSignature` is Gemini's opaque reasoning state, which
 * rides on the function call it preceded.
 */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  kind: 'function' | 'custom';
  arguments: string;
  thoughtSignature?: string;
  cache?: CacheHint;
  source?: string;
}

/** The result of a tool call, sent back by the client. */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  cache?: CacheHint;
  source?: string;
}

/** Audio, inline (OpenAI `input_audio`). */
interface AudioPart {
  type: 'audio';
  /** Base64 audio. */
  data: string;
  /** `wav`, `mp3`, … */
  format: string;
  source?: string;
}

/**
 * A content part of a kind the gateway does not model: only native pass-through can carry it, and
 * a provider that translates refuses it, naming it.
 */
interface OpaquePart {
  type: 'opaque';
  /** Its type on the wire (`type` of the client's part). */
  wireType: string;
  source?: string;
}

/** Content a user message may carry. */
export type UserPart = TextPart | ImagePart | DocumentPart | AudioPart | OpaquePart;
/** Content an assistant message may carry, in the order it was produced. */
export type AssistantPart = TextPart | ReasoningPart | ToolCallPart;

/**
 * One message of the conversation. `system` covers OpenAI's system and developer roles and
 * Anthropic's top-level `system`; tool results are `tool` messages, one result each.
 */
export type Message =
  | { role: 'system'; content: TextPart[]; source?: string }
  | { role: 'user'; content: UserPart[]; source?: string }
  | { role: 'assistant'; content: AssistantPart[]; source?: string }
  | { role: 'tool'; content: [ToolResultPart]; source?: string };

/** A tool the model may call: a function with a JSON Schema, or a free-form (`custom`) tool. */
export type Tool =
  | { type: 'function'; name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean; cache?: CacheHint }
  | { type: 'custom'; name: string; description?: string; format?: Record<string, unknown> };

/** Which tool the model must (or must not) call. */
export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

/** The shape of the answer. */
export type OutputFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean };

/** The ingress protocols (DESIGN §2). */
type IngressProtocol = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

/**
 * The client's names for the request's parameters, so a provider's error names the one the
 * client sent (`max_completion_tokens` or `max_tokens`, `reasoning_effort` or `thinking`).
 */
interface ParamNames {
  maxOutputTokens: string;
  reasoning: string;
  output: string;
  temperature: string;
  topP: string;
  stop: string;
  toolChoice: string;
  tools: string;
}

/** A decoded client request. */
export interface CanonicalRequest {
  /** The model (alias) the client asked for. */
  model: string;
  messages: Message[];
  tools: Tool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  output?: OutputFormat;
  /** The client's output limit, if it set one. */
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  /** Number of answers (OpenAI `n`). */
  n?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /**
   * How hard the model should think: an effort level every target understands, and the exact
   * thinking budget in tokens when the client gave one (Anthropic `thinking.budget_tokens`), for
   * targets that take budgets.
   */
  reasoning?: { effort: ReasoningEffort; budgetTokens?: number };
  /** The end user (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /**
   * The client's prompt-cache key (OpenAI `prompt_cache_key`): it keeps the conversation on one
   * target of a load-balanced alias, goes to OpenAI as is, and becomes cache breakpoints for
   * targets that need them (see `withCacheKeyBreakpoints`).
   */
  cacheKey?: string;
  metadata?: Record<string, string>;
  stream: boolean;
  /**
   * The client's parameters that have no canonical form (`logprobs`, `logit_bias`, `audio`, …),
   * by their wire name: a target that cannot honour one refuses it, or drops it when allowed.
   */
  unmodelled: Record<string, unknown>;
  paramNames: ParamNames;
  /**
   * The ingress protocol and the client's body as sent, for native pass-through to a target that
   * speaks the same protocol (DESIGN §1). Providers never mutate it.
   */
  native: { protocol: IngressProtocol; body: Readonly<Record<string, unknown>> };
}
