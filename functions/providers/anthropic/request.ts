import type { UpstreamRequest } from '../http-provider';
import type { CallContext, ChatCall, ProviderSettings } from '../../core/ports/provider';
import { withCacheKeyBreakpoints } from '../../core/model/cache-key';
import { continuesToolLoopWithoutThinking, translateMessages } from './messages';
import { claudeMaxOutputTokens } from './models';
import { checkUnsupportedParams, samplingFields } from './params';
import { translateTools } from './tools';
import type { AnthropicRequest } from './wire-types';
import type { AnthropicSettings } from './settings';

/** The public API host; `settings.baseUrl` replaces it (host root, as in Anthropic's SDK). */
const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The `anthropic-version` header unless `settings.anthropicVersion` says otherwise. */
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/**
 * Builds the Anthropic Messages request (`POST {baseUrl}/v1/messages`) for a canonical chat call.
 * Throws a 400 GatewayError naming the parameter for anything Anthropic cannot honour.
 */
export function buildAnthropicRequest(call: ChatCall, ctx: CallContext<AnthropicSettings>): UpstreamRequest {
  return { ...anthropicEndpoint(ctx), body: buildAnthropicBody(call, ctx.settings) };
}

/**
 * The Messages body of a canonical chat call, for Anthropic and for Claude on Bedrock alike.
 * Throws a 400 GatewayError naming the parameter for anything Claude cannot honour (unless the
 * provider drops unsupported parameters).
 */
export function buildAnthropicBody(call: ChatCall, settings: Pick<ProviderSettings, 'dropUnsupportedParams'>): AnthropicRequest {
  // Claude caches only where it is told to: a client's prompt-cache key becomes breakpoints.
  const request = withCacheKeyBreakpoints(call.request);
  const drop = settings.dropUnsupportedParams === true;
  checkUnsupportedParams(request, drop);
  const maxTokens = call.maxOutputTokens ?? claudeMaxOutputTokens(call.model).tokens;
  const { system, messages } = translateMessages(request.messages);
  const sampling = samplingFields(request, maxTokens, drop, !continuesToolLoopWithoutThinking(messages));
  const tools = translateTools(request, sampling.thinking !== undefined);
  if (tools.systemNote) system.push(tools.systemNote);

  const body: AnthropicRequest = { model: call.model, max_tokens: maxTokens, messages };
  if (system.length > 0) body.system = system;
  if (tools.tools) body.tools = tools.tools;
  if (tools.tool_choice) body.tool_choice = tools.tool_choice;
  if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop;
  Object.assign(body, sampling);
  if (request.user) body.metadata = { user_id: request.user };
  if (call.stream) body.stream = true;
  return body;
}

/** The Messages endpoint and its headers: `x-api-key` and `anthropic-version` (the setting's, else the default). */
export function anthropicEndpoint(ctx: CallContext<AnthropicSettings>): Pick<UpstreamRequest, 'url' | 'headers'> {
  const baseUrl = (ctx.settings.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const version = typeof ctx.settings.anthropicVersion === 'string' ? ctx.settings.anthropicVersion : DEFAULT_ANTHROPIC_VERSION;
  const headers: Record<string, string> = { 'anthropic-version': version };
  if (ctx.apiKey) headers['x-api-key'] = ctx.apiKey;
  return { url: `${baseUrl}/v1/messages`, headers };
}
