import { GatewayError, invalidRequest } from '../../core/errors';
import type { MediaSource, Message, Tool, UserPart } from '../../core/model/request';
import type { CanonicalCompletion, CanonicalStreamEvent, FinishReason } from '../../core/model/response';
import type { CallContext, ChatCall, StreamTranslator } from '../../core/ports/provider';
import { fromChatUsage } from '../../core/protocols/openai-chat/encode';
import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ContentPart, ToolDefinition } from '../../core/protocols/openai-chat/types';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { anyValue, rejectUnsupportedParameters, type UnsupportedParameter } from '../shared/unsupported-params';
import { toolCallId } from '../shared/ids';
import { createOpenAiStreamTranslator } from './stream';
import type { OpenAiSettings } from './settings';

/** Parameters of other client protocols a Chat Completions server cannot honour. */
const UNSUPPORTED: readonly UnsupportedParameter[] = [{ param: 'server_tools', changesAnswer: (value) => Array.isArray(value) && value.length > 0 }, { param: 'top_k', changesAnswer: anyValue }];

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = { stop: 'stop', length: 'length', tool_calls: 'tool_calls', function_call: 'tool_calls', content_filter: 'content_filter' };

function dataUrl(media: MediaSource): string {
  return media.kind === 'url' ? media.url : `data:${media.mediaType};base64,${media.data}`;
}

function contentPart(part: UserPart): ContentPart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image':
      return { type: 'image_url', image_url: { url: dataUrl(part.media), ...(part.detail ? { detail: part.detail } : {}) } };
    case 'document':
      return { type: 'file', file: { file_data: dataUrl(part.media), ...(part.filename ? { filename: part.filename } : {}) } };
    case 'audio':
      return { type: 'input_audio', input_audio: { data: part.data, format: part.format } };
    case 'opaque':
      throw invalidRequest(`Content of type '${part.wireType}' is not supported by OpenAI-compatible models.`, part.source ?? null);
  }
}

function chatMessage(message: Message): ChatMessage[] {
  switch (message.role) {
    case 'system':
      return [{ role: 'system', content: message.content.map((part) => part.text).join('\n') }];
    case 'user':
      return [{ role: 'user', content: message.content.map(contentPart) }];
    case 'assistant': {
      const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
      const calls = message.content.flatMap((part) => (part.type === 'tool_call' ? [{ id: part.id, type: 'function' as const, function: { name: part.name, arguments: part.arguments } }] : []));
      return [{ role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}) }];
    }
    case 'tool': {
      const [result] = message.content;
      const text = result.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
      return [{ role: 'tool', tool_call_id: result.toolCallId, content: result.isError ? `Error: ${text}` : text }];
    }
  }
}

function chatTool(tool: Tool, param: string): ToolDefinition {
  if (tool.type !== 'function') throw invalidRequest(`Tool type '${tool.type}' is not supported by OpenAI-compatible chat models.`, param);
  const fn: ToolDefinition['function'] = { name: tool.name };
  if (tool.description !== undefined) fn.description = tool.description;
  if (tool.parameters !== undefined) fn.parameters = tool.parameters;
  if (tool.strict !== undefined) fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

/**
 * The Chat Completions body of a canonical request from another client protocol (an Anthropic
 * Messages client on an OpenAI-compatible target): messages, tools, tool choice, output format,
 * sampling, the reasoning effort, and the output limit in the field the server understands
 * (`max_completion_tokens` for OpenAI itself, `max_tokens` elsewhere). Reasoning from earlier
 * turns is not replayed: Chat Completions has no field for it.
 */
export function chatBodyOf(call: ChatCall, ctx: CallContext<OpenAiSettings>, nativeOpenAi: boolean): Record<string, unknown> {
  const { request } = call;
  rejectUnsupportedParameters(request, UNSUPPORTED, 'OpenAI-compatible models', ctx.settings.dropUnsupportedParams === true);
  const body: Record<string, unknown> = { model: call.model, messages: request.messages.flatMap(chatMessage) };
  if (request.tools.length > 0) body.tools = request.tools.map((tool, i) => chatTool(tool, `${request.paramNames.tools}[${i}]`));
  if (request.toolChoice) body.tool_choice = request.toolChoice.type === 'tool' ? { type: 'function', function: { name: request.toolChoice.name } } : request.toolChoice.type;
  if (request.parallelToolCalls !== undefined && request.tools.length > 0) body.parallel_tool_calls = request.parallelToolCalls;
  const output = request.output;
  if (output?.type === 'json_schema') body.response_format = { type: 'json_schema', json_schema: { name: output.name, ...(output.schema ? { schema: output.schema } : {}), ...(output.strict !== undefined ? { strict: output.strict } : {}) } };
  else if (output) body.response_format = { type: output.type };
  if (call.maxOutputTokens !== undefined) body[nativeOpenAi ? 'max_completion_tokens' : 'max_tokens'] = call.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.n !== undefined) body.n = request.n;
  if (request.reasoning) body.reasoning_effort = request.reasoning.effort;
  if (request.user) body.user = request.user;
  // OpenAI routes on the key to a machine holding the prefix; other servers may refuse a field they do not know.
  if (request.cacheKey && nativeOpenAi) body.prompt_cache_key = request.cacheKey;
  if (call.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/** A `chat.completion` as a canonical completion (every choice, usage, reasoning text where the server gives it). */
export function parseChatCompletion(json: unknown, providerName: string): CanonicalCompletion {
  const completion = json as Partial<ChatCompletion>;
  const answers = (completion.choices ?? []).map((choice) => {
    const message = choice.message;
    const content: CanonicalCompletion['content'] = [];
    if (typeof message?.reasoning_content === 'string' && message.reasoning_content !== '') content.push({ type: 'reasoning', text: message.reasoning_content });
    if (typeof message?.content === 'string') content.push({ type: 'text', text: message.content });
    for (const call of message?.tool_calls ?? []) content.push({ type: 'tool_call', id: call.id, name: call.function.name, kind: 'function', arguments: call.function.arguments });
    return { content, finishReason: FINISH_REASONS[choice.finish_reason ?? ''] ?? 'stop' };
  });
  const [first, ...alternatives] = answers;
  if (!first) {
    throw new GatewayError({ status: 502, type: 'upstream_error', code: 'bad_upstream_response', message: `Provider '${providerName}' returned a completion without choices.`, verdict: 'retryable', errorClass: 'server_error', provider: providerName });
  }
  const result: CanonicalCompletion = { content: first.content, finishReason: first.finishReason };
  if (typeof completion.id === 'string') result.id = completion.id;
  if (typeof completion.model === 'string') result.model = completion.model;
  if (alternatives.length > 0) result.alternatives = alternatives;
  if (completion.usage) result.usage = fromChatUsage(completion.usage);
  return result;
}

/**
 * Translates a Chat Completions stream into canonical events: the chunks are read (and checked
 * for in-stream errors and a clean end) as for a pass-through, then text, reasoning, tool calls
 * (started on their first fragment, an id made up when the server gives none), finish reasons and
 * usage become events.
 */
export function createChatToCanonicalTranslator(ctx: CallContext<OpenAiSettings>): StreamTranslator {
  const chunks = createOpenAiStreamTranslator(ctx.providerName);
  const startedCalls = new Set<string>();
  let started = false;
  let toolCount = 0;
  const translate = (chunk: ChatCompletionChunk): CanonicalStreamEvent[] => {
    const out: CanonicalStreamEvent[] = [];
    if (!started) {
      started = true;
      out.push({ type: 'start', ...(chunk.id ? { id: chunk.id } : {}), ...(chunk.model ? { model: chunk.model } : {}) });
    }
    for (const choice of chunk.choices ?? []) {
      const at = choice.index === 0 ? {} : { choice: choice.index };
      const delta = choice.delta ?? {};
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') out.push({ type: 'reasoning', text: delta.reasoning_content, ...at });
      if (typeof delta.content === 'string' && delta.content !== '') out.push({ type: 'text', text: delta.content, ...at });
      for (const call of delta.tool_calls ?? []) {
        const key = `${choice.index}:${call.index}`;
        if (!startedCalls.has(key)) {
          startedCalls.add(key);
          out.push({ type: 'tool_call_start', index: call.index, id: call.id ?? toolCallId(ctx.requestId, toolCount), name: call.function?.name ?? '', kind: 'function', ...at });
          toolCount += 1;
        }
        if (call.function?.arguments) out.push({ type: 'tool_call_delta', index: call.index, arguments: call.function.arguments, ...at });
      }
      if (choice.finish_reason) out.push({ type: 'finish', reason: FINISH_REASONS[choice.finish_reason] ?? 'stop', ...at });
    }
    if (chunk.usage) out.push({ type: 'usage', usage: fromChatUsage(chunk.usage) });
    return out;
  };
  return {
    push: (event: SseEvent) => chunks.push(event).flatMap(translate),
    end: () => chunks.end().flatMap(translate),
  };
}
