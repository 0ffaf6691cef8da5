import type { BedrockRuntimeClient, ResponseStream } from '@aws-sdk/client-bedrock-runtime';
import type { CallContext, ChatCall, ChatResult } from '../../core/ports/provider';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { createNativeStreamReader, nativeMessagesBody } from '../anthropic/native';
import { buildAnthropicBody } from '../anthropic/request';
import { parseAnthropicCompletion } from '../anthropic/response';
import { AnthropicStreamTranslator } from '../anthropic/stream';
import { badUpstreamJson, translateEvents, upstreamCut } from '../http-provider';
import { forwardedBetas, type AnthropicBetasFilter } from '../shared/anthropic-betas';
import { mapBedrockError } from './errors';
import type { BedrockSdk } from './sdk';
import type { BedrockSettings } from './settings';

/** `anthropic_version` of Claude's Messages body on Bedrock. */
const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** Bedrock's addition to Claude's last stream event; Anthropic's API has no such field. */
const BEDROCK_METRICS_FIELD = 'amazon-bedrock-invocationMetrics';

/**
 * The `anthropic-beta` values forwarded to Bedrock when its `betas` setting is absent: the ones
 * Bedrock documents for Claude. Bedrock refuses a request carrying a beta it does not know
 * ("invalid beta flag"), and Claude Code sends several Anthropic-only ones.
 */
const DEFAULT_BEDROCK_BETAS: AnthropicBetasFilter = {
  allow: [
    'interleaved-thinking-2025-05-14',
    'context-1m-2025-08-07',
    'context-management-2025-06-27',
    'effort-2025-11-24',
    'token-efficient-tools-2025-02-19',
    'computer-use-2025-01-24',
    'tool-search-tool-2025-10-19',
    'tool-examples-2025-10-29',
  ],
};

/**
 * The InvokeModel body for Claude on Bedrock (DESIGN §1): Anthropic's Messages body with
 * `anthropic_version` `bedrock-2023-05-31`, without `model` and `stream` (the model is in the
 * path, streaming is the operation), and the forwarded betas as `anthropic_beta`. A Messages
 * client's body goes as sent (after the gateway's rewrites), so thinking, tools, cache hints and
 * fields the gateway does not model survive; any other protocol's request is translated exactly
 * as for Anthropic, so one Claude model behaves the same behind both.
 */
function buildClaudeInvokeBody(call: ChatCall, ctx: Pick<CallContext<BedrockSettings>, 'settings' | 'clientHeaders'>): Record<string, unknown> {
  const native = call.request.native.protocol === 'anthropic-messages';
  let body: Record<string, unknown>;
  if (native) body = nativeMessagesBody(call);
  else {
    const { model: _model, stream: _stream, ...translated } = buildAnthropicBody(call, ctx.settings);
    body = translated;
  }
  const betas = native ? forwardedBetas(ctx.clientHeaders?.get('anthropic-beta'), ctx.settings.betas ?? DEFAULT_BEDROCK_BETAS) : [];
  return { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...body, ...(betas.length > 0 ? { anthropic_beta: betas } : {}) };
}

/**
 * Calls Claude on Bedrock through InvokeModel / InvokeModelWithResponseStream. A Messages client
 * gets Claude's answer natively (the stream relayed event by event, without Bedrock's metrics
 * field); any other client gets it through the same translation as from Anthropic.
 */
export async function invokeClaude(call: ChatCall, ctx: CallContext<BedrockSettings>, client: BedrockRuntimeClient, sdk: BedrockSdk): Promise<ChatResult> {
  const native = call.request.native.protocol === 'anthropic-messages';
  const input = {
    modelId: call.model,
    contentType: 'application/json',
    accept: 'application/json',
    body: new TextEncoder().encode(JSON.stringify(buildClaudeInvokeBody(call, ctx))),
  };
  if (!call.stream) {
    const response = await client.send(new sdk.InvokeModelCommand(input), { abortSignal: ctx.signal });
    const json = parseJson(new TextDecoder().decode(response.body), ctx.providerName, 'a body');
    return native ? { kind: 'native-completion', body: json } : { kind: 'completion', completion: parseAnthropicCompletion(json, call, ctx) };
  }
  const response = await client.send(new sdk.InvokeModelWithResponseStreamCommand(input), { abortSignal: ctx.signal });
  if (!response.body) throw upstreamCut(ctx.providerName, 'Bedrock returned no event stream.');
  const events = claudeEvents(response.body, ctx);
  return native
    ? { kind: 'native-stream', events: translateEvents(events, createNativeStreamReader(ctx), ctx) }
    : { kind: 'stream', events: translateEvents(events, new AnthropicStreamTranslator(call, ctx), ctx) };
}

/**
 * Claude's stream events from Bedrock's `chunk` frames (each carries one event's JSON, base64 in
 * the frame, decoded by the SDK), as the SSE events Anthropic would have sent. Exception frames
 * surface as SDK exceptions from the iterator and are mapped like errors before the stream.
 */
async function* claudeEvents(frames: AsyncIterable<ResponseStream>, ctx: CallContext<BedrockSettings>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  try {
    for await (const frame of frames) {
      if (!frame.chunk?.bytes) continue;
      const event = parseJson(decoder.decode(frame.chunk.bytes), ctx.providerName, 'a stream event') as Record<string, unknown>;
      delete event[BEDROCK_METRICS_FIELD];
      yield { event: String(event.type), data: JSON.stringify(event) };
    }
  } catch (error) {
    throw mapBedrockError(error, ctx);
  }
}

function parseJson(text: string, providerName: string, what: 'a body' | 'a stream event'): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badUpstreamJson(providerName, what);
  }
}
