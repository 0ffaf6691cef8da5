import type { CallContext, ChatCall, StreamTranslator } from '../../core/ports/provider';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { upstreamCut, type UpstreamRequest } from '../http-provider';
import { anthropicStreamError } from './errors';
import { claudeMaxOutputTokens } from './models';
import { anthropicEndpoint } from './request';
import type { AnthropicSettings } from './settings';

/**
 * The upstream request of a native pass-through (DESIGN §1): the client's Messages body as sent,
 * with the gateway's rewrites only — the provider model, the output limit (capped to the
 * target's), whether to stream — and the client's `anthropic-version` and `anthropic-beta`
 * headers (the betas filtered by the provider's `betas` setting), so features the gateway does not model (server tools, citations, betas) keep working.
 */
export function buildNativeRequest(call: ChatCall, ctx: CallContext<AnthropicSettings>): UpstreamRequest {
  const body: Record<string, unknown> = { ...call.request.native.body, model: call.model, max_tokens: call.maxOutputTokens ?? claudeMaxOutputTokens(call.model).tokens };
  if (call.stream) body.stream = true;
  else delete body.stream;
  const request = anthropicEndpoint(ctx);
  const version = ctx.clientHeaders?.get('anthropic-version');
  if (version) request.headers['anthropic-version'] = version;
  const betas = forwardedBetas(ctx.clientHeaders?.get('anthropic-beta'), ctx.settings.betas);
  if (betas) request.headers['anthropic-beta'] = betas;
  return { ...request, body };
}

/**
 * The client's `anthropic-beta` values this provider may see (DESIGN §2): all of them, or only
 * those of `allow`, never those of `deny` (a beta the target does not know can break a request).
 * `undefined` when none is left.
 */
export function forwardedBetas(header: string | null | undefined, filter: AnthropicSettings['betas']): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(',')
    .map((beta) => beta.trim())
    .filter((beta) => beta !== '' && (!filter?.allow || filter.allow.includes(beta)) && !filter?.deny?.includes(beta));
  return kept.length > 0 ? kept.join(',') : undefined;
}

/**
 * Reads an Anthropic stream for relay, event by event and unchanged: an `error` event becomes a
 * classified GatewayError (so a failure before the first event still falls back), and a stream
 * that ends without `message_stop` is an upstream cut, never a complete answer.
 */
export function createNativeStreamReader(ctx: CallContext<AnthropicSettings>): StreamTranslator<SseEvent> {
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
