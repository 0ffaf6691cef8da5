import { invalidRequest } from '../../core/errors';
import type { ReasoningEffort, Tool, ToolChoice } from '../../core/model/request';
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
 * The reasoning effort → `thinkingConfig.thinkingBudget` in tokens. 128 is the smallest budget every
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

/** Models without thinking: a reasoning effort cannot be honoured there (Gemini answers 400). */
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
 * Builds the `generateContent` / `streamGenerateContent?alt=sse` call for a canonical chat request.
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
  if (request.tools.length > 0) body.tools = [{ functionDeclarations: request.tools.map((tool, i) => toFunctionDeclaration(tool, `${request.paramNames.tools}[${i}]`)) }];
  if (request.toolChoice !== undefined) body.toolConfig = { functionCallingConfig: toFunctionCallingConfig(request.toolChoice) };
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

function toFunctionDeclaration(tool: Tool, param: string): { name: string; description?: string; parameters?: Record<string, unknown> } {
  if (tool.type !== 'function') throw invalidRequest(`Tool type '${tool.type}' is not supported by Gemini.`, `${param}.type`);
  const declaration: { name: string; description?: string; parameters?: Record<string, unknown> } = { name: tool.name };
  if (tool.description !== undefined) declaration.description = tool.description;
  const parameters = tool.parameters ? toGeminiSchema(tool.parameters, `${param}.function.parameters`) : undefined;
  // Gemini rejects an OBJECT schema with no properties; a function without inputs omits `parameters`.
  const properties = parameters?.properties as Record<string, unknown> | undefined;
  if (parameters && !(parameters.type === 'object' && (properties === undefined || Object.keys(properties).length === 0))) {
    declaration.parameters = parameters;
  }
  return declaration;
}

function toFunctionCallingConfig(choice: ToolChoice): { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } {
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'none':
      return { mode: 'NONE' };
    case 'required':
      return { mode: 'ANY' };
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}

function toGenerationConfig(call: ChatCall, drop: boolean): GeminiGenerationConfig {
  const r = call.request;
  const config: GeminiGenerationConfig = {};
  if (r.temperature !== undefined) config.temperature = r.temperature;
  if (r.topP !== undefined) config.topP = r.topP;
  if (r.topK !== undefined) config.topK = r.topK;
  if (call.maxOutputTokens !== undefined) config.maxOutputTokens = call.maxOutputTokens;
  if (r.stop !== undefined) config.stopSequences = r.stop;
  if (r.n !== undefined && r.n !== 1) config.candidateCount = r.n;
  if (r.seed !== undefined) config.seed = r.seed;
  if (r.presencePenalty !== undefined) config.presencePenalty = r.presencePenalty;
  if (r.frequencyPenalty !== undefined) config.frequencyPenalty = r.frequencyPenalty;
  const format = r.output;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.schema) config.responseSchema = toGeminiSchema(format.schema, `${r.paramNames.output}.json_schema.schema`);
  }
  const effort = r.reasoning?.effort;
  if (effort !== undefined && NO_THINKING.test(call.model)) {
    // `none` asks for what such a model does anyway.
    if (!drop && effort !== 'none') throw unsupportedParameter(r.paramNames.reasoning, call.model, `is not supported by the model '${call.model}' (it does not think)`);
  } else if (effort !== undefined) {
    // A client's own budget (Anthropic `budget_tokens`) is kept, within the model's largest.
    const given = r.reasoning?.budgetTokens;
    const budget = given === undefined ? thinkingBudget(effort, call.model) : Math.min(given, thinkingBudget('xhigh', call.model));
    config.thinkingConfig = budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
  }
  return config;
}
