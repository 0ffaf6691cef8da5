import type { ReasoningEffort } from '../../model/request';

/**
 * The OpenAI Chat Completions / Embeddings wire types that Switchyard speaks to clients.
 * Only the fields the gateway reads or writes are typed; unknown fields pass through untouched.
 */

/** A text content part of a message. */
interface TextContentPart {
  type: 'text';
  text: string;
  /** Anthropic prompt-caching hint, passed through by providers that support it. */
  cache_control?: { type: 'ephemeral'; ttl?: string };
}

/** An image content part: an `https:` URL or a `data:` URL with base64 content. */
interface ImageContentPart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

/** Any content part of a user, system or assistant message. */
export type ContentPart = TextContentPart | ImageContentPart | { type: string; [key: string]: unknown };

/** A tool call made by the assistant in a (non-streamed) message. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One conversation message, as sent by clients. */
export type ChatMessage =
  | { role: 'system' | 'developer'; content: string | TextContentPart[]; name?: string }
  | { role: 'user'; content: string | ContentPart[]; name?: string }
  | {
      role: 'assistant';
      content?: string | TextContentPart[] | null;
      tool_calls?: ToolCall[];
      refusal?: string | null;
      name?: string;
      /** Reasoning text returned by Switchyard for providers that expose thinking. */
      reasoning_content?: string | null;
    }
  | { role: 'tool'; content: string | TextContentPart[]; tool_call_id: string };

/** A function tool the model may call. */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

/** `tool_choice` values accepted by the API. */
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/** `response_format` values accepted by the API. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };

/** A validated `POST /v1/chat/completions` body. Unknown fields are preserved. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  n?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stop?: string | string[] | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  user?: string;
  metadata?: Record<string, string> | null;
  reasoning_effort?: ReasoningEffort | null;
  [key: string]: unknown;
}

/** OpenAI usage block, normalised: `prompt_tokens` always includes cached tokens. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number; [key: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
}

/** OpenAI `finish_reason` values. */
type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** The assistant message of a non-streamed choice. */
export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  tool_calls?: ToolCall[];
  reasoning_content?: string;
  [key: string]: unknown;
}

/** A non-streamed chat completion. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: AssistantMessage; finish_reason: FinishReason | null; logprobs: unknown }>;
  usage?: Usage;
  system_fingerprint?: string;
  [key: string]: unknown;
}

/** A tool-call fragment inside a stream delta. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** The delta of a streamed choice. */
export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ToolCallDelta[];
  reasoning_content?: string;
  [key: string]: unknown;
}

/** One streamed choice. */
interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

/** One `chat.completion.chunk` as sent on the SSE stream. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string;
  [key: string]: unknown;
}

/** A validated `POST /v1/embeddings` body. */
export interface EmbeddingRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  [key: string]: unknown;
}

/** One embedding vector; `embedding` is a base64 string of little-endian float32 when asked. */
export interface Embedding {
  object: 'embedding';
  index: number;
  embedding: number[] | string;
}

/** An embeddings response. */
export interface EmbeddingResponse {
  object: 'list';
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
