/**
 * Wire types of the OpenAI Responses API (`POST /v1/responses`), as far as the gateway reads and
 * writes them. Request objects are loose: fields the gateway does not model are kept.
 */

/** A content part of an input message. */
export interface InputContentPart {
  type: string;
  text?: string;
  image_url?: string;
  detail?: 'auto' | 'low' | 'high';
  file_data?: string;
  file_url?: string;
  filename?: string;
  [key: string]: unknown;
}

/** One item of `input`: a message, a tool call or its output, or a reasoning item. */
export interface InputItem {
  type?: string;
  role?: 'user' | 'assistant' | 'system' | 'developer';
  content?: string | InputContentPart[];
  id?: string;
  call_id?: string;
  name?: string;
  arguments?: string;
  input?: string;
  output?: string | InputContentPart[];
  summary?: Array<{ type: string; text: string }>;
  encrypted_content?: string | null;
  [key: string]: unknown;
}

/** A tool the model may call. */
export interface ResponsesTool {
  type: string;
  name?: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  format?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `text.format`. */
type TextFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema?: Record<string, unknown>; description?: string; strict?: boolean | null };

/** A `POST /v1/responses` body. */
export interface ResponsesRequest {
  model: string;
  input?: string | InputItem[];
  instructions?: string | null;
  tools?: ResponsesTool[];
  tool_choice?: 'auto' | 'none' | 'required' | { type: string; name?: string };
  parallel_tool_calls?: boolean | null;
  text?: { format?: TextFormat; [key: string]: unknown };
  reasoning?: { effort?: string | null; summary?: string | null; [key: string]: unknown } | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  user?: string;
  safety_identifier?: string;
  metadata?: Record<string, string> | null;
  include?: string[] | null;
  store?: boolean | null;
  previous_response_id?: string | null;
  stream?: boolean | null;
  [key: string]: unknown;
}

/** One item of a response's `output`. */
export type OutputItem =
  | { id: string; type: 'message'; role: 'assistant'; status: 'in_progress' | 'completed' | 'incomplete'; content: Array<{ type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }> }
  | { id: string; type: 'reasoning'; summary: Array<{ type: 'summary_text'; text: string }>; encrypted_content?: string; status?: 'in_progress' | 'completed' }
  | { id: string; type: 'function_call'; status: 'in_progress' | 'completed'; call_id: string; name: string; arguments: string }
  | { id: string; type: 'custom_tool_call'; status: 'in_progress' | 'completed'; call_id: string; name: string; input: string };

/** Token usage of a response. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** A response object. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  model: string;
  output: OutputItem[];
  usage: ResponsesUsage | null;
  [key: string]: unknown;
}
