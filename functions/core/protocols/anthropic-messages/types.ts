/**
 * The Anthropic Messages API wire types the gateway reads and writes as a server (DESIGN §2).
 * Only the fields the gateway reads are typed; unknown fields pass through to Anthropic targets.
 */

/** A prompt-caching marker. */
interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

/** A content block of a request message (user or assistant), loosely typed. */
export interface RequestBlock {
  type: string;
  cache_control?: CacheControl;
  [key: string]: unknown;
}

/** One message of the `messages` array. */
export interface MessageParam {
  /** `system`: a system turn inside the conversation (text blocks only). */
  role: 'user' | 'assistant' | 'system';
  content: string | RequestBlock[];
}

/** A tool the model may call: a client tool (`input_schema`) or an Anthropic server tool (`type`). */
export interface ToolParam {
  name: string;
  type?: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  cache_control?: CacheControl;
  [key: string]: unknown;
}

/** A validated `POST /v1/messages` body. */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | Array<{ type: 'text'; text: string; cache_control?: CacheControl }>;
  tools?: ToolParam[];
  tool_choice?: { type: 'auto' | 'any' | 'tool' | 'none'; name?: string; disable_parallel_tool_use?: boolean };
  thinking?: { type: 'enabled'; budget_tokens: number } | { type: 'disabled' } | { type: string; budget_tokens?: number };
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string | null; [key: string]: unknown };
  stream?: boolean;
  [key: string]: unknown;
}

/** A content block of an answer. */
export type ResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/** Anthropic usage: `input_tokens` excludes cache reads and writes. */
export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** A non-streamed answer. */
export interface MessagesResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ResponseBlock[];
  stop_reason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | null;
  stop_sequence: string | null;
  usage: MessagesUsage;
}
