import type { GatewayError } from '../../errors';
import type { AssistantPart } from '../../model/request';
import type { CanonicalCompletion, CanonicalStreamEvent, CanonicalUsage, FinishReason } from '../../model/response';
import { encodeSseEvent, joinBytes } from '../../streaming/sse-encoder';
import type { StreamEncoder } from '../../streaming/sse-response-body';
import { encryptedContentOf } from './reasoning-state';
import type { OutputItem, ResponseObject, ResponsesRequest, ResponsesTool, ResponsesUsage } from './types';

/** What a response says about itself beyond the model's answer. */
export interface ResponseIdentity {
  /** `resp_…`. */
  id: string;
  /** Seconds since the epoch. */
  createdAt: number;
  /** The target model that answered. */
  model: string;
  /** The client's request, whose settings the response echoes. */
  request: ResponsesRequest;
  /** Whether the gateway keeps the response (`store`). */
  stored: boolean;
  /** The response this one continues. */
  previousResponseId?: string | undefined;
  /** Seconds since the epoch now: when a finished response completed. */
  nowSeconds: () => number;
}

/** Canonical usage as the Responses API's (input tokens include cached ones; output, reasoning). */
function toResponsesUsage(usage: CanonicalUsage): ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** Whether the client asked for reasoning's `encrypted_content` (`include`). */
function includesEncryptedReasoning(request: ResponsesRequest): boolean {
  return request.include?.includes('reasoning.encrypted_content') === true;
}

/** A number the client sent, or the API's default for it. */
function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** A string the client sent, else null. */
function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * A function tool as the response echoes it: description, parameters and strict always present
 * (null when the client left them out), as the Open Responses schema requires. Other tools as sent.
 */
function echoedTool(tool: ResponsesTool): ResponsesTool {
  if (tool.type !== 'function') return tool;
  return { ...tool, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? null };
}

/**
 * The response object around `output`: every field of the Open Responses `ResponseResource`, the
 * settings the request ran with echoed as the API does and the API's defaults for the rest
 * (temperature and top_p 1, penalties 0, no background mode, the default service tier).
 */
function responseObject(identity: ResponseIdentity, status: ResponseObject['status'], output: OutputItem[], usage: ResponsesUsage | null, finish?: FinishReason): ResponseObject {
  const { request } = identity;
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.createdAt,
    completed_at: status === 'completed' || status === 'incomplete' ? identity.nowSeconds() : null,
    status,
    error: null,
    incomplete_details: finish === 'length' ? { reason: 'max_output_tokens' } : finish === 'content_filter' ? { reason: 'content_filter' } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: typeof request.max_tool_calls === 'number' ? request.max_tool_calls : null,
    model: identity.model,
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: identity.previousResponseId ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: identity.stored,
    background: false,
    service_tier: 'default',
    temperature: numberOr(request.temperature, 1),
    top_p: numberOr(request.top_p, 1),
    presence_penalty: numberOr(request.presence_penalty, 0),
    frequency_penalty: numberOr(request.frequency_penalty, 0),
    top_logprobs: numberOr(request.top_logprobs, 0),
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map(echoedTool),
    truncation: 'disabled',
    usage,
    metadata: request.metadata ?? {},
    safety_identifier: request.safety_identifier ?? null,
    prompt_cache_key: stringOrNull(request.prompt_cache_key),
  };
}

/** The status a finished response has: `incomplete` when cut by the output limit or a filter. */
function finalStatus(finish: FinishReason): 'completed' | 'incomplete' {
  return finish === 'length' || finish === 'content_filter' ? 'incomplete' : 'completed';
}

/** Encodes a canonical completion as a Responses `response` object (the first answer). */
export function encodeResponse(completion: CanonicalCompletion, identity: ResponseIdentity, usage: CanonicalUsage): ResponseObject {
  const output: OutputItem[] = [];
  const ids = new ItemIds(identity.id);
  const encrypted = includesEncryptedReasoning(identity.request);
  let message: Extract<OutputItem, { type: 'message' }> | undefined;
  for (const part of completion.content) {
    if (part.type === 'text') {
      if (part.text === '') continue;
      if (!message) {
        message = { id: ids.next('msg'), type: 'message', role: 'assistant', status: 'completed', content: [] };
        output.push(message);
      }
      message.content.push({ type: 'output_text', text: part.text, annotations: [], logprobs: [] });
      continue;
    }
    message = undefined;
    output.push(itemOf(part, ids, encrypted));
  }
  return responseObject(identity, finalStatus(completion.finishReason), output, toResponsesUsage(usage), completion.finishReason);
}

function itemOf(part: Exclude<AssistantPart, { type: 'text' }>, ids: ItemIds, encrypted: boolean): OutputItem {
  if (part.type === 'reasoning') {
    const item: OutputItem = { id: ids.next('rs'), type: 'reasoning', summary: part.text ? [{ type: 'summary_text', text: part.text }] : [] };
    if (encrypted && part.state) item.encrypted_content = encryptedContentOf(part.state);
    return item;
  }
  return part.kind === 'custom'
    ? { id: ids.next('ctc'), type: 'custom_tool_call', status: 'completed', call_id: part.id, name: part.name, input: part.arguments }
    : { id: ids.next('fc'), type: 'function_call', status: 'completed', call_id: part.id, name: part.name, arguments: part.arguments };
}

/** Item ids unique within a response: `msg_<response>_<n>`, `rs_…`, `fc_…`. */
class ItemIds {
  private count = 0;
  constructor(private readonly responseId: string) {}
  next(prefix: string): string {
    return `${prefix}_${this.responseId.replace(/^resp_/, '')}_${this.count++}`;
  }
}

/** The item open in the stream, with what it has accumulated. */
type OpenItem =
  | { kind: 'message'; index: number; id: string; text: string }
  | { kind: 'reasoning'; index: number; id: string; text: string; encryptedContent?: string }
  | { kind: 'tool'; index: number; id: string; tool: number; callId: string; name: string; custom: boolean; arguments: string };

/** The `error.code` of `response.failed` the clients act on (Codex retries or compacts on them). */
export function failureCode(error: GatewayError): string {
  if (error.code === 'context_length_exceeded') return 'context_length_exceeded';
  if (error.status === 429) return 'rate_limit_exceeded';
  if (error.status === 400) return 'invalid_prompt';
  return 'server_error';
}

/**
 * Writes canonical stream events as the Responses API's event sequence (DESIGN §2), each with a
 * strictly increasing `sequence_number`: `response.created` and `response.in_progress`; per output
 * item `response.output_item.added`, its parts and deltas (`output_text`, reasoning summary text,
 * function-call arguments or custom-tool input) and their `.done` events carrying the whole text,
 * then `response.output_item.done`; at the end exactly one `response.completed` (or
 * `response.incomplete`) with the output and the usage, or `response.failed` with an error code
 * when the stream fails after it started. Only the first answer is sent (Responses has no `n`).
 */
export class ResponsesStreamEncoder implements StreamEncoder<CanonicalStreamEvent> {
  usage: CanonicalUsage | undefined;
  completionChars = 0;
  private sequence = 0;
  private started = false;
  private open: OpenItem | undefined;
  private readonly output: OutputItem[] = [];
  private readonly ids: ItemIds;
  private readonly encrypted: boolean;
  private finishReason: FinishReason = 'stop';

  /**
   * @param onComplete receives the final response object of a stream that completed (to store
   * it); the terminal event waits for it, so a client that retrieves or continues the response
   * as soon as its stream ended finds it.
   */
  constructor(
    private readonly identity: ResponseIdentity,
    private readonly onComplete: (response: ResponseObject) => Promise<void> | void = () => undefined,
  ) {
    this.ids = new ItemIds(identity.id);
    this.encrypted = includesEncryptedReasoning(identity.request);
  }

  encode(event: CanonicalStreamEvent): Uint8Array | undefined {
    if ('choice' in event && event.choice !== undefined && event.choice !== 0) return undefined;
    if (event.type === 'usage') {
      this.usage = event.usage;
      return undefined;
    }
    const out: Uint8Array[] = [];
    this.start(out);
    switch (event.type) {
      case 'text':
        if (event.text === '') break;
        this.completionChars += event.text.length;
        this.openMessage(out).text += event.text;
        out.push(this.event('response.output_text.delta', { item_id: this.open?.id, output_index: this.open?.index, content_index: 0, delta: event.text, logprobs: [] }));
        break;
      case 'reasoning': {
        this.completionChars += event.text.length;
        const item = this.openReasoning(out);
        item.text += event.text;
        out.push(this.event('response.reasoning_summary_text.delta', { item_id: item.id, output_index: item.index, summary_index: 0, delta: event.text }));
        break;
      }
      case 'reasoning_state': {
        const fresh = this.open?.kind !== 'reasoning';
        const item = this.openReasoning(out);
        if (fresh && event.text) {
          item.text += event.text;
          out.push(this.event('response.reasoning_summary_text.delta', { item_id: item.id, output_index: item.index, summary_index: 0, delta: event.text }));
        }
        item.encryptedContent = encryptedContentOf(event.state);
        this.close(out);
        break;
      }
      case 'tool_call_start': {
        this.close(out);
        const custom = event.kind === 'custom';
        this.open = { kind: 'tool', index: this.output.length, id: this.ids.next(custom ? 'ctc' : 'fc'), tool: event.index, callId: event.id, name: event.name, custom, arguments: '' };
        out.push(this.event('response.output_item.added', { output_index: this.open.index, item: this.toolItem(this.open, 'in_progress') }));
        break;
      }
      case 'tool_call_delta': {
        const item = this.open;
        if (item?.kind !== 'tool' || item.tool !== event.index || event.arguments === '') break;
        this.completionChars += event.arguments.length;
        item.arguments += event.arguments;
        const type = item.custom ? 'response.custom_tool_call_input.delta' : 'response.function_call_arguments.delta';
        out.push(this.event(type, { item_id: item.id, output_index: item.index, delta: event.arguments }));
        break;
      }
      case 'finish':
        this.finishReason = event.reason;
        this.close(out);
        break;
      case 'start':
        break;
    }
    return joinBytes(out);
  }

  async finish(usage: CanonicalUsage): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    this.start(out);
    this.close(out);
    const status = finalStatus(this.finishReason);
    const response = responseObject(this.identity, status, this.output, toResponsesUsage(usage), this.finishReason);
    out.push(this.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response }));
    await this.onComplete(response);
    return out;
  }

  fail(error: GatewayError): Uint8Array {
    const out: Uint8Array[] = [];
    this.start(out);
    const response = { ...responseObject(this.identity, 'failed', this.output, null), error: { code: failureCode(error), message: error.message } };
    out.push(this.event('response.failed', { response }));
    return joinBytes(out) as Uint8Array;
  }

  private start(out: Uint8Array[]): void {
    if (this.started) return;
    this.started = true;
    const response = responseObject(this.identity, 'in_progress', [], null);
    out.push(this.event('response.created', { response }));
    out.push(this.event('response.in_progress', { response }));
  }

  private openMessage(out: Uint8Array[]): Extract<OpenItem, { kind: 'message' }> {
    if (this.open?.kind === 'message') return this.open;
    this.close(out);
    const item: Extract<OpenItem, { kind: 'message' }> = { kind: 'message', index: this.output.length, id: this.ids.next('msg'), text: '' };
    this.open = item;
    out.push(this.event('response.output_item.added', { output_index: item.index, item: { id: item.id, type: 'message', role: 'assistant', status: 'in_progress', content: [] } }));
    out.push(this.event('response.content_part.added', { item_id: item.id, output_index: item.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }));
    return item;
  }

  private openReasoning(out: Uint8Array[]): Extract<OpenItem, { kind: 'reasoning' }> {
    if (this.open?.kind === 'reasoning') return this.open;
    this.close(out);
    const item: Extract<OpenItem, { kind: 'reasoning' }> = { kind: 'reasoning', index: this.output.length, id: this.ids.next('rs'), text: '' };
    this.open = item;
    out.push(this.event('response.output_item.added', { output_index: item.index, item: { id: item.id, type: 'reasoning', summary: [] } }));
    out.push(this.event('response.reasoning_summary_part.added', { item_id: item.id, output_index: item.index, summary_index: 0, part: { type: 'summary_text', text: '' } }));
    return item;
  }

  private toolItem(item: Extract<OpenItem, { kind: 'tool' }>, status: 'in_progress' | 'completed'): OutputItem {
    return item.custom
      ? { id: item.id, type: 'custom_tool_call', status, call_id: item.callId, name: item.name, input: item.arguments }
      : { id: item.id, type: 'function_call', status, call_id: item.callId, name: item.name, arguments: item.arguments };
  }

  /** Ends the open item: its `.done` events with the whole content, then `output_item.done`. */
  private close(out: Uint8Array[]): void {
    const item = this.open;
    if (!item) return;
    this.open = undefined;
    let done: OutputItem;
    if (item.kind === 'message') {
      const part = { type: 'output_text' as const, text: item.text, annotations: [], logprobs: [] };
      out.push(this.event('response.output_text.done', { item_id: item.id, output_index: item.index, content_index: 0, text: item.text, logprobs: [] }));
      out.push(this.event('response.content_part.done', { item_id: item.id, output_index: item.index, content_index: 0, part }));
      done = { id: item.id, type: 'message', role: 'assistant', status: 'completed', content: [part] };
    } else if (item.kind === 'reasoning') {
      out.push(this.event('response.reasoning_summary_text.done', { item_id: item.id, output_index: item.index, summary_index: 0, text: item.text }));
      out.push(this.event('response.reasoning_summary_part.done', { item_id: item.id, output_index: item.index, summary_index: 0, part: { type: 'summary_text', text: item.text } }));
      done = { id: item.id, type: 'reasoning', summary: item.text ? [{ type: 'summary_text', text: item.text }] : [] };
      if (this.encrypted && item.encryptedContent) done.encrypted_content = item.encryptedContent;
    } else {
      const type = item.custom ? 'response.custom_tool_call_input.done' : 'response.function_call_arguments.done';
      out.push(this.event(type, item.custom ? { item_id: item.id, output_index: item.index, input: item.arguments } : { item_id: item.id, output_index: item.index, arguments: item.arguments }));
      done = this.toolItem(item, 'completed');
    }
    this.output.push(done);
    out.push(this.event('response.output_item.done', { output_index: item.index, item: done }));
  }

  private event(type: string, data: Record<string, unknown>): Uint8Array {
    return encodeSseEvent({ type, sequence_number: this.sequence++, ...data }, type);
  }
}
