import { invalidRequest } from '../../core/errors';
import type { ReasoningEffort, ToolChoice, ToolDefinition } from '../../core/openai/types';
import type { UpstreamRequest } from '../http-provider';
import type { CallContext, ChatCall } from '../../core/ports/provider';
import { toGeminiConversation } from './contents';
import { toGeminiSchema } from './schema';
import type { GeminiGenerationConfig, GeminiRequest } from './wire';
import type { GeminiSettings } from './settings';
import { anyValue, OPENAI_ONLY_PARAMETERS, rejectUnsupportedParameters, unsupportedParameter, type UnsupportedParameter } from '../shared/unsupported-params';

/** Default host root of the Generative Language API (DESIGN §3: `baseUrl` is the host root). */
const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';

/**
 * `reasoning_effort` → `thinkingConfig.thinkingBudget` in tokens. 128 is the smallest budget every
 * thinking model accepts, so `minimal` maps there; `none` switches thinking off (budget 0) where
 * the model allows it and is the smallest budget on Pro models, which cannot switch it off;
 * `xhigh` is the model's largest budget (24,576 on Flash, 32,768 on Pro).
 */
function thinkingBudget(effort: ReasoningEffort, model: string): number {
  const pro = PRO_MODEL.test(model);
  switch (effort) {
    case 'none':
      return pro ? 128 : 0;
    case 'minimal':
      return 128;
    case 'low':
      return 1024;
    case 'medium':
      return 8192;
    case 'high':
      return 24576;
    case 'xhigh':
      return pro ? 32768 : 24576;
  }
}

/** Pro models think always and allow the larger budgets. */
const PRO_MODEL = /^(?:models\/)?gemini-[\d.]+-pro/;

/** Models without thinking: `reasoning_effort` cannot be honoured there (Gemini answers 400). */
const NO_THINKING = /^(?:models\/)?gemini-(?:1\.|2\.0-(?!flash-thinking))/;

/** OpenAI parameters Gemini cannot honour (a default value is harmless). */
const UNSUPPORTED: readonly UnsupportedParameter[] = [
  ...OPENAI_ONLY_PARAMETERS,
  { param: 'parallel_tool_calls', changesAnswer: (value) => value === false },
  { param: 'functions', changesAnswer: anyValue },
  { param: 'function_call', changesAnswer: anyValue },
  { param: 'web_search_options', changesAnswer: anyValue },
];

/**
 * Builds the `generateContent` / `streamGenerateContent?alt=sse` call for an OpenAI chat request.
 *
 * @example
 * buildGeminiRequest({ request, model: 'gemini-2.5-flash', stream: true, maxOutputTokens: 1024 }, ctx)
 * // → { url: '…/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', headers: { 'x-goog-api-key': … }, body }
 */
export function buildGeminiRequest(call: ChatCall, ctx: CallContext<GeminiSettings>): UpstreamRequest {
  const request = call.request;
  rejectUnsupportedParameters(request, UNSUPPORTED, 'Gemini models', ctx.settings.dropUnsupportedParams === true);
  const { contents, systemTexts } = toGeminiConversation(request.messages, call.model);
  const body: GeminiRequest = { contents };
  if (systemTexts.length > 0) {
    const system = systemTexts.join('\n\n');
    // Gemini rejects an empty `contents`; a system-only conversation is sent as the user turn.
    if (contents.length === 0) contents.push({ role: 'user', parts: [{ text: system }] });
    else body.systemInstruction = { parts: [{ text: system }] };
  }
  if (request.tools && request.tools.length > 0) body.tools = [{ functionDeclarations: request.tools.map(toFunctionDeclaration) }];
  if (request.tool_choice !== undefined) body.toolConfig = { functionCallingConfig: toFunctionCallingConfig(request.tool_choice) };
  const generationConfig = toGenerationConfig(call, ctx.settings.dropUnsupportedParams === true);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  const headers: Record<string, string> = {};
  if (ctx.apiKey !== undefined) headers['x-goog-api-key'] = ctx.apiKey;
  return { url: modelUrl(ctx.settings.baseUrl, call.model, call.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'), headers, body };
}

/**
 * The URL of a model method. A bare model name gets the `models/` prefix; a full resource name
 * (`models/…`, `tunedModels/…`) is used as is.
 */
export function modelUrl(baseUrl: string | undefined, model: string, method: string): string {
  const root = (baseUrl ?? GEMINI_BASE_URL).replace(/\/+$/, '');
  const resource = model.includes('/') ? model : `models/${model}`;
  return `${root}/v1beta/${resource}:${method}`;
}

function toFunctionDeclaration(tool: ToolDefinition, i: number): { name: string; description?: string; parameters?: Record<string, unknown> } {
  if (tool.type !== 'function') throw invalidRequest(`Tool type '${String(tool.type)}' is not supported by Gemini.`, `tools[${i}].type`);
  const declaration: { name: string; description?: string; parameters?: Record<string, unknown> } = { name: tool.function.name };
  if (tool.function.description !== undefined) declaration.description = tool.function.description;
  const parameters = tool.function.parameters ? toGeminiSchema(tool.function.parameters, `tools[${i}].function.parameters`) : undefined;
  // Gemini rejects an OBJECT schema with no properties; a function without inputs omits `parameters`.
  const properties = parameters?.properties as Record<string, unknown> | undefined;
  if (parameters && !(parameters.type === 'object' && (properties === undefined || Object.keys(properties).length === 0))) {
    declaration.parameters = parameters;
  }
  return declaration;
}

function toFunctionCallingConfig(choice: ToolChoice): { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  if (typeof choice === 'object' && choice.type === 'function' && typeof choice.function?.name === 'string') {
    return { mode: 'ANY', allowedFunctionNames: [choice.function.name] };
  }
  throw invalidRequest('Unsupported tool_choice.', 'tool_choice');
}

function toGenerationConfig(call: ChatCall, drop: boolean): GeminiGenerationConfig {
  const r = call.request;
  const config: GeminiGenerationConfig = {};
  if (r.temperature != null) config.temperature = r.temperature;
  if (r.top_p != null) config.topP = r.top_p;
  if (call.maxOutputTokens !== undefined) config.maxOutputTokens = call.maxOutputTokens;
  if (r.stop != null) config.stopSequences = typeof r.stop === 'string' ? [r.stop] : r.stop;
  if (r.n != null && r.n !== 1) config.candidateCount = r.n;
  if (r.seed != null) config.seed = r.seed;
  if (typeof r.presence_penalty === 'number') config.presencePenalty = r.presence_penalty;
  if (typeof r.frequency_penalty === 'number') config.frequencyPenalty = r.frequency_penalty;
  const format = r.response_format;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema.schema) config.responseSchema = toGeminiSchema(format.json_schema.schema, 'response_format.json_schema.schema');
  }
  if (r.reasoning_effort != null && NO_THINKING.test(call.model)) {
    // `none` asks for what such a model does anyway.
    if (!drop && r.reasoning_effort !== 'none') throw unsupportedParameter('reasoning_effort', call.model, `is not supported by the model '${call.model}' (it does not think)`);
  } else if (r.reasoning_effort != null) {
    const budget = thinkingBudget(r.reasoning_effort, call.model);
    config.thinkingConfig = budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
  }
  return config;
}
