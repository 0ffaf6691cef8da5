import { SseDecoder } from '../streaming/sse-decoder';

type Json = Record<string, unknown>;

/**
 * Reassembles a streamed answer, as the client received it, into the protocol's whole-response
 * shape, for the `full` audit record: it reads the very bytes sent (translated or passed through
 * natively alike), so the record is what the client got, not what the gateway meant to send.
 */
export interface StreamTranscript {
  /** Keeps a piece of the SSE bytes sent to the client (read later: pushing costs the stream nothing). */
  push(bytes: Uint8Array): void;
  /** The response reassembled from every piece pushed so far (whatever arrived, when the stream was cut). */
  result(): Json;
}

/** The transcript for the stream of an ingress route, or `undefined` for routes that do not stream. */
export function streamTranscriptFor(endpoint: string): StreamTranscript | undefined {
  if (endpoint === '/v1/chat/completions') return new SseTranscript(new ChatAssembler());
  if (endpoint === '/v1/messages') return new SseTranscript(new MessagesAssembler());
  if (endpoint === '/v1/responses') return new SseTranscript(new ResponsesAssembler());
  return undefined;
}

/** One protocol's reassembly of its event objects. */
interface Assembler {
  add(event: Json): void;
  result(): Json;
}

/**
 * Keeps the pieces as they pass and decodes them only when the result is asked for, after the
 * stream: the client's chunks are never held back by the audit's parsing.
 */
class SseTranscript implements StreamTranscript {
  private readonly decoder = new SseDecoder();
  private pending: Uint8Array[] = [];

  constructor(private readonly assembler: Assembler) {}

  push(bytes: Uint8Array): void {
    this.pending.push(bytes);
  }

  result(): Json {
    const pieces = this.pending;
    this.pending = [];
    for (const bytes of pieces) {
      for (const event of this.decoder.push(bytes)) {
        if (event.data === '[DONE]') continue;
        const parsed = parseObject(event.data);
        if (parsed) this.assembler.add(parsed);
      }
    }
    return this.assembler.result();
  }
}

function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Chat Completions: `chat.completion.chunk`s into one `chat.completion`. */
class ChatAssembler implements Assembler {
  private head: Json = {};
  private readonly choices = new Map<number, { message: Json; toolCalls: Map<number, Json>; finishReason: unknown }>();
  private usage: unknown;
  private error: unknown;

  add(chunk: Json): void {
    if (isObject(chunk.error)) {
      this.error = chunk.error;
      return;
    }
    for (const field of ['id', 'created', 'model', 'system_fingerprint', 'service_tier'] as const) if (chunk[field] !== undefined) this.head[field] = chunk[field];
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isObject(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      let state = this.choices.get(index);
      if (!state) this.choices.set(index, (state = { message: { role: 'assistant', content: null }, toolCalls: new Map(), finishReason: null }));
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
      const delta = isObject(choice.delta) ? choice.delta : {};
      for (const [field, value] of Object.entries(delta)) {
        if (field === 'tool_calls' && Array.isArray(value)) this.addToolCalls(state.toolCalls, value);
        else if (typeof value === 'string' && field !== 'role') state.message[field] = text(state.message[field]) + value;
        else if (value !== null && value !== undefined) state.message[field] = value;
      }
    }
  }

  private addToolCalls(calls: Map<number, Json>, deltas: unknown[]): void {
    for (const delta of deltas) {
      if (!isObject(delta)) continue;
      const index = typeof delta.index === 'number' ? delta.index : calls.size;
      const call = calls.get(index) ?? { id: null, type: 'function', function: { name: '', arguments: '' } };
      calls.set(index, call);
      if (delta.id) call.id = delta.id;
      if (delta.type) call.type = delta.type;
      const fn = call.function as Json;
      if (isObject(delta.function)) {
        fn.name = text(fn.name) + text(delta.function.name);
        fn.arguments = text(fn.arguments) + text(delta.function.arguments);
      }
    }
  }

  result(): Json {
    const choices = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, state]) => {
        const message = state.toolCalls.size > 0 ? { ...state.message, tool_calls: [...state.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call) } : state.message;
        return { index, message, finish_reason: state.finishReason };
      });
    return { ...this.head, object: 'chat.completion', choices, usage: this.usage ?? null, ...(this.error ? { error: this.error } : {}) };
  }
}

/** Anthropic Messages: the event sequence into one `message`, tool inputs parsed. */
class MessagesAssembler implements Assembler {
  private message: Json = { type: 'message', role: 'assistant', content: [] };
  private readonly blocks: Json[] = [];
  private readonly partialJson = new Map<number, string>();
  private error: unknown;

  add(event: Json): void {
    const index = typeof event.index === 'number' ? event.index : -1;
    switch (event.type) {
      case 'message_start':
        if (isObject(event.message)) this.message = { ...event.message };
        break;
      case 'content_block_start':
        if (isObject(event.content_block) && index >= 0) this.blocks[index] = { ...event.content_block };
        break;
      case 'content_block_delta':
        if (isObject(event.delta) && this.blocks[index]) this.addDelta(index, this.blocks[index], event.delta);
        break;
      case 'content_block_stop':
        this.finishBlock(index);
        break;
      case 'message_delta':
        if (isObject(event.delta)) Object.assign(this.message, event.delta);
        if (isObject(event.usage)) this.message.usage = { ...(isObject(this.message.usage) ? this.message.usage : {}), ...event.usage };
        break;
      case 'error':
        this.error = event.error;
        break;
    }
  }

  private addDelta(index: number, block: Json, delta: Json): void {
    switch (delta.type) {
      case 'text_delta':
        block.text = text(block.text) + text(delta.text);
        break;
      case 'thinking_delta':
        block.thinking = text(block.thinking) + text(delta.thinking);
        break;
      case 'signature_delta':
        block.signature = delta.signature;
        break;
      case 'input_json_delta':
        this.partialJson.set(index, (this.partialJson.get(index) ?? '') + text(delta.partial_json));
        break;
      case 'citations_delta':
        block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
        break;
    }
  }

  private finishBlock(index: number): void {
    const json = this.partialJson.get(index);
    const block = this.blocks[index];
    if (json === undefined || !block) return;
    this.partialJson.delete(index);
    block.input = json === '' ? {} : (parseObject(json) ?? json);
  }

  result(): Json {
    for (const index of [...this.partialJson.keys()]) this.finishBlock(index);
    return { ...this.message, content: this.blocks.filter(Boolean), ...(this.error ? { error: this.error } : {}) };
  }
}

/**
 * Responses API: the terminal event's `response` when it came; otherwise (a cut stream) the
 * latest snapshot with the output items rebuilt from their added / delta / done events.
 */
class ResponsesAssembler implements Assembler {
  private response: Json = { object: 'response' };
  private readonly items: Json[] = [];
  private terminal = false;
  private error: unknown;

  add(event: Json): void {
    const type = text(event.type);
    if (type === 'error') {
      this.error = { code: event.code ?? null, message: event.message ?? null };
      return;
    }
    if (isObject(event.response)) {
      this.response = event.response;
      this.terminal ||= type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed';
      return;
    }
    const outputIndex = typeof event.output_index === 'number' ? event.output_index : -1;
    if (outputIndex < 0) return;
    if ((type === 'response.output_item.added' || type === 'response.output_item.done') && isObject(event.item)) {
      this.items[outputIndex] = structuredClone(event.item);
      return;
    }
    const item = this.items[outputIndex];
    if (item) addItemDelta(item, type, event);
  }

  result(): Json {
    const output = Array.isArray(this.response.output) && (this.terminal || this.response.output.length > 0) ? this.response.output : this.items.filter(Boolean);
    return { ...this.response, output, ...(this.error ? { error: this.error } : {}) };
  }
}

/** Applies one delta event of a Responses output item to the item being rebuilt. */
function addItemDelta(item: Json, type: string, event: Json): void {
  const part = (list: string, index: unknown): Json | undefined => {
    if (typeof index !== 'number') return undefined;
    const parts = (item[list] = Array.isArray(item[list]) ? item[list] : []) as Json[];
    return (parts[index] ??= {});
  };
  switch (type) {
    case 'response.content_part.added':
      if (typeof event.content_index === 'number' && isObject(event.part)) ((item.content = Array.isArray(item.content) ? item.content : []) as Json[])[event.content_index] = { ...event.part };
      break;
    case 'response.output_text.delta':
    case 'response.refusal.delta': {
      const target = part('content', event.content_index);
      const field = type === 'response.output_text.delta' ? 'text' : 'refusal';
      if (target) target[field] = text(target[field]) + text(event.delta);
      break;
    }
    case 'response.function_call_arguments.delta':
    case 'response.custom_tool_call_input.delta': {
      const field = type === 'response.function_call_arguments.delta' ? 'arguments' : 'input';
      item[field] = text(item[field]) + text(event.delta);
      break;
    }
    case 'response.reasoning_summary_text.delta': {
      const target = part('summary', event.summary_index);
      if (target) Object.assign(target, { type: 'summary_text', text: text(target.text) + text(event.delta) });
      break;
    }
  }
}
