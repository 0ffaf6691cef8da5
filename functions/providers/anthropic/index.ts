import { badUpstreamJson, createHttpProvider, readJson, sendUpstream, translateSse, upstreamCut } from '../http-provider';
import type { CallContext, ChatCall, ChatResult, ProviderAdapter } from '../../core/ports/provider';
import type { AnthropicSettings } from './settings';
import { parseAnthropicError } from './errors';
import { claudeMaxOutputTokens } from './models';
import { buildNativeCountRequest, buildNativeRequest, countableBody, createNativeStreamReader } from './native';
import { buildAnthropicBody, buildAnthropicRequest } from './request';
import { parseAnthropicCompletion } from './response';
import { AnthropicStreamTranslator } from './stream';

/** Anthropic's Messages API from the canonical model, for clients of every other protocol. */
const translated = createHttpProvider<AnthropicSettings>({
  type: 'anthropic',
  requiresApiKey: true,
  buildChatRequest: buildAnthropicRequest,
  parseCompletion: parseAnthropicCompletion,
  createStreamTranslator: (call, ctx) => new AnthropicStreamTranslator(call, ctx),
  parseError: parseAnthropicError,
  maxOutputTokens: claudeMaxOutputTokens,
});

/** A Messages client's request, passed through natively; the answer comes back as Anthropic sent it. */
async function passThrough(call: ChatCall, ctx: CallContext<AnthropicSettings>): Promise<ChatResult> {
  const response = await sendUpstream(ctx, buildNativeRequest(call, ctx), parseAnthropicError);
  if (!call.stream) return { kind: 'native-completion', body: await readJson(response, ctx) };
  if (!response.body) throw upstreamCut(ctx.providerName, 'The upstream returned an empty stream.');
  return { kind: 'native-stream', events: translateSse(response.body, createNativeStreamReader(ctx), ctx) };
}

/**
 * The `anthropic` provider: Anthropic's Messages API (`POST {baseUrl}/v1/messages`, `x-api-key`,
 * `anthropic-version`), streaming and not. A Messages client's request passes through natively
 * (DESIGN §1); any other protocol's is translated from the canonical model.
 */
export const anthropicProvider: ProviderAdapter<AnthropicSettings> = {
  ...translated,
  chat: (call, ctx) => (call.request.native.protocol === 'anthropic-messages' ? passThrough(call, ctx) : translated.chat(call, ctx)),
  countInputTokens: async (request, model, ctx) => {
    const body = request.native.protocol === 'anthropic-messages' ? (request.native.body as Record<string, unknown>) : countableBody(buildAnthropicBody({ request, model, stream: false, maxOutputTokens: undefined }, ctx.settings));
    const json = (await readJson(await sendUpstream(ctx, buildNativeCountRequest(body, model, ctx), parseAnthropicError), ctx)) as { input_tokens?: unknown };
    if (typeof json.input_tokens !== 'number') throw badUpstreamJson(ctx.providerName, 'a body');
    return json.input_tokens;
  },
};
