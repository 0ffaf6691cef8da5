import type { MessagesWireUsage } from '../../core/protocols/anthropic-messages/native';
/**
 * The Anthropic Messages API wire types this adapter writes and reads. Only the fields the
 * translation touches are typed; Anthropic adds block and usage fields often, and unknown ones
 * are ignored on the way back.
 */

/** Prompt-caching marker, passed through from the client's cache hints unchanged. */
interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

/** A text block (request and response). */
export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
}

/** An image block: inline base64 or a URL Anthropic fetches itself. */
export interface AnthropicImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
  cache_control?: CacheControl;
}

/** A tool call made by the assistant. */
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: CacheControl;
}

/** The result of a tool call, sent in a user turn. */
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string | Array<AnthropicTextBlock | AnthropicImageBlock>;
  cache_control?: CacheControl;
}

/**
 * A thinking block replayed in an assistant turn. Anthropic verifies the signature and requires
 * these blocks at the start of the assistant turn that a tool loop continues while thinking.
 */
export type AnthropicThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

/** Any block the adapter sends in a request message. */
export type AnthropicRequestBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock;

/** One message of the `messages` array (strictly alternating roles after merging). */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicRequestBlock[];
}

/** A tool definition. */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  cache_control?: CacheControl;
}

/** `tool_choice` values. */
export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

/** The `POST /v1/messages` body. */
export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: AnthropicTextBlock[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_k?: number;
  top_p?: number;
  thinking?: { type: 'enabled'; budget_tokens: number };
  metadata?: { user_id: string };
  stream?: boolean;
}

/** Usage as Anthropic reports it: `input_tokens` excludes cache reads and writes. */

/** A content block of a response (server tool and other unknown blocks are kept loosely typed). */
type AnthropicResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: string; [key: string]: unknown };

/** A non-streamed Message. */
export interface AnthropicMessageResponse {
  id: string;
  type: 'message';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: string | null;
  usage?: MessagesWireUsage;
}

