import type { GatewayError } from '../../core/errors';
import type { CanonicalRequest, ToolCallPart } from '../../core/model/request';
import type { CanonicalCompletion, CanonicalStreamEvent, CanonicalUsage } from '../../core/model/response';
import type { EmbeddingResponse } from '../../core/protocols/openai-chat/types';
import { systemClock } from '../../core/ports/clock';
import { classifyUpstreamError } from '../error-mapping';
import type { CallContext, ChatCall, ChatResult, EmbeddingCall, ProviderAdapter } from '../../core/ports/provider';
import type { MockSettings } from './settings';

/**
 * A deterministic offline provider so that `npm start` works with no network and no API key:
 * the same request always gets the same answer. It echoes the size of the prompt, can answer
 * with tool calls, can be slowed down per chunk, and can fail (before or in the middle of a
 * stream) with any upstream status. Token counts follow a fixed 4-characters-per-token rule.
 */
export const mockProvider: ProviderAdapter<MockSettings> = {
  type: 'mock',
  requiresApiKey: false,
  maxOutputTokens: () => ({ tokens: 4096, documented: false }),
  async chat(call: ChatCall, ctx: CallContext<MockSettings>): Promise<ChatResult> {
    const { settings } = ctx;
    const failure = settings.error;
    if (failure && failure.afterChunks === undefined) throw mockError(ctx, failure.status, failure.message);
    const reply = mockReply(call.request, settings);
    const usage = mockUsage(call.request, reply);
    const id = `chatcmpl-mock-${ctx.requestId}`;
    if (!call.stream) return { kind: 'completion', completion: completionOf(id, reply, usage) };
    return { kind: 'stream', events: streamOf(id, reply, usage, settings, ctx) };
  },
  async embeddings(call: EmbeddingCall, ctx: CallContext<MockSettings>): Promise<EmbeddingResponse> {
    const { settings } = ctx;
    if (settings.error) throw mockError(ctx, settings.error.status, settings.error.message);
    const inputs = normaliseInputs(call.request.input);
    const dimensions = call.request.dimensions ?? settings.embeddingDimensions ?? 8;
    const tokens = inputs.reduce((sum, input) => sum + tokenCount(input), 0);
    return {
      object: 'list',
      model: call.model,
      data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: vectorOf(input, dimensions) })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  },
};

interface MockReply {
  text: string;
  toolCalls: ToolCallPart[];
}

function mockReply(request: CanonicalRequest, settings: MockSettings): MockReply {
  if (settings.toolCalls && settings.toolCalls.length > 0 && request.tools.length > 0 && request.toolChoice?.type !== 'none') {
    return {
      text: '',
      toolCalls: settings.toolCalls.map((call, index) => ({ type: 'tool_call', id: `call_mock_${index}`, name: call.name, kind: 'function', arguments: call.arguments })),
    };
  }
  const text = settings.text ?? `Hello from the Switchyard mock provider. Your prompt had ${promptText(request).length} characters.`;
  return { text, toolCalls: [] };
}

/** The text of every message (tool results included), which the reply echoes the size of. */
function promptText(request: CanonicalRequest): string {
  let text = '';
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'text') text += part.text;
      else if (part.type === 'tool_result') for (const inner of part.content) if (inner.type === 'text') text += inner.text;
    }
  }
  return text;
}

function tokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function mockUsage(request: CanonicalRequest, reply: MockReply): CanonicalUsage {
  return {
    inputTokens: tokenCount(promptText(request)),
    outputTokens: tokenCount(reply.text + reply.toolCalls.map((call) => call.name + call.arguments).join('')),
  };
}

function completionOf(id: string, reply: MockReply, usage: CanonicalUsage): CanonicalCompletion {
  const hasTools = reply.toolCalls.length > 0;
  return { id, content: hasTools ? reply.toolCalls : [{ type: 'text', text: reply.text }], finishReason: hasTools ? 'tool_calls' : 'stop', usage };
}

async function* streamOf(id: string, reply: MockReply, usage: CanonicalUsage, settings: MockSettings, ctx: CallContext<MockSettings>): AsyncGenerator<CanonicalStreamEvent> {
  const pieces = splitText(reply.text, settings.chunks ?? 8);
  let sent = 0;
  const pace = async (): Promise<void> => {
    if (settings.error?.afterChunks !== undefined && sent >= settings.error.afterChunks) throw mockError(ctx, settings.error.status, settings.error.message);
    if (settings.delayMs) await systemClock.sleep(settings.delayMs, ctx.signal);
    sent++;
  };
  await pace();
  yield { type: 'start', id };
  if (reply.toolCalls.length > 0) {
    for (const [index, call] of reply.toolCalls.entries()) {
      await pace();
      yield { type: 'tool_call_start', index, id: call.id, name: call.name, kind: 'function' };
      await pace();
      yield { type: 'tool_call_delta', index, arguments: call.arguments };
    }
  } else {
    for (const piece of pieces) {
      await pace();
      yield { type: 'text', text: piece };
    }
  }
  await pace();
  yield { type: 'finish', reason: reply.toolCalls.length > 0 ? 'tool_calls' : 'stop' };
  yield { type: 'usage', usage };
}

function splitText(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let offset = 0; offset < text.length; offset += size) pieces.push(text.slice(offset, offset + size));
  return pieces;
}

function mockError(ctx: CallContext<MockSettings>, status: number, message?: string): GatewayError {
  return classifyUpstreamError({ status, message: message ?? `mock failure ${status}`, providerName: ctx.providerName });
}

function normaliseInputs(input: EmbeddingCall['request']['input']): string[] {
  if (typeof input === 'string') return [input];
  if (input.length > 0 && typeof input[0] === 'number') return [(input as number[]).join(' ')];
  return (input as Array<string | number[]>).map((item) => (typeof item === 'string' ? item : item.join(' ')));
}

/** A unit-length vector derived from a string hash, so equal inputs embed equally. */
function vectorOf(input: string, dimensions: number): number[] {
  let seed = 2166136261;
  for (let i = 0; i < input.length; i++) seed = Math.imul(seed ^ input.charCodeAt(i), 16777619) >>> 0;
  const values: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (seed >>> 15), 2246822507) >>> 0;
    values.push((seed / 4294967295) * 2 - 1);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((value) => Math.fround(value / norm));
}
