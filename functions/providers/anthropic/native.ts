import type { CallContext, ChatCall, StreamTranslator } from '../../core/ports/provider';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { upstreamCut, type UpstreamRequest } from '../http-provider';
import { anthropicStreamError } from './errors';
import { claudeMaxOutputTokens } from './models';
import { anthropicEndpoint } from './request';
import { forwardedBetas } from '../shared/anthropic-betas';
import type { AnthropicSettings } from './settings';
import type { AnthropicRequest } from './wire-types';

/**
 * The upstream request of a native pass-through (DESIGN §1): the client's Messages body as sent,
 * with the gateway's rewrites only — the provider model, the output limit (capped to the
 * target's), whether to stream — and the client's `anthropic-version` and `anthropic-beta`
 * headers (the betas filtered by the provider's `betas` setting), so features the gateway does not model (server tools, citations, betas) keep working.
 */
export function buildNativeRequest(call: ChatCall, ctx: CallContext<AnthropicSettings>): UpstreamRequest {
  const body: Record<string, unknown> = { ...nativeMessagesBody(call), model: call.model };
  if (call.stream) body.stream = true;
  return { ...nativeEndpoint(ctx), body };
}

/**
 * The upstream request of a `count_tokens` call: the client's body as sent with the provider
 * model, to `/v1/messages/count_tokens`, with the same headers as a Messages request.
 */
export function buildNativeCountRequest(body: Record<string, unknown>, model: string, ctx: CallContext<AnthropicSettings>): UpstreamRequest {
  const endpoint = nativeEndpoint(ctx);
  return { ...endpoint, url: `${endpoint.url}/count_tokens`, body: { ...body, model } };
}

/** Fields of a Messages body that `count_tokens` takes (it refuses output settings such as `max_tokens`). */
const COUNTED_FIELDS = ['system', 'messages', 'tools', 'tool_choice', 'thinking'] as const;

/** A translated Messages body reduced to what `count_tokens` counts. */
export function countableBody(body: AnthropicRequest): Record<string, unknown> {
  return Object.fromEntries(COUNTED_FIELDS.filter((field) => body[field] !== undefined).map((field) => [field, body[field]]));
}

/** The Messages endpoint with the client's `anthropic-version` and the betas this provider allows. */
function nativeEndpoint(ctx: CallContext<AnthropicSettings>): Pick<UpstreamRequest, 'url' | 'headers'> {
  const request = anthropicEndpoint(ctx);
  const version = ctx.clientHeaders?.get('anthropic-version');
  if (version) request.headers['anthropic-version'] = version;
  const betas = forwardedBetas(ctx.clientHeaders?.get('anthropic-beta'), ctx.settings.betas);
  if (betas.length > 0) request.headers['anthropic-beta'] = betas.join(',');
  return request;
}

/**
 * A Messages client's body as sent, with the gateway's output limit and without `model` and
 * `stream`, which each Claude host (Anthropic, Bedrock) sets its own way.
 */
export function nativeMessagesBody(call: ChatCall): Record<string, unknown> {
  const { model: _model, stream: _stream, ...body } = call.request.native.body as Record<string, unknown>;
  return { ...body, max_tokens: call.maxOutputTokens ?? claudeMaxOutputTokens(call.model).tokens };
}

/**
 * Reads an Anthropic stream for relay, event by event and unchanged: an `error` event becomes a
 * classified GatewayError (so a failure before the first event still falls back), and a stream
 * that ends without `message_stop` is an upstream cut, never a complete answer.
 */
export function createNativeStreamReader(ctx: Pick<CallContext, 'providerName'>): StreamTranslator<SseEvent> {
  let stopped = false;
  return {
    push(event) {
      if (event.event === 'error') throw anthropicStreamError(event.data, ctx.providerName);
      if (event.event === 'message_stop') stopped = true;
      return [event];
    },
    end() {
      if (!stopped) throw upstreamCut(ctx.providerName, 'The Anthropic stream ended before message_stop.');
      return [];
    },
  };
}
