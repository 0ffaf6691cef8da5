import type { ConverseRequest, InferenceConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { DocumentType } from '@smithy/types';
import { invalidRequest } from '../../core/errors';
import type { CanonicalRequest } from '../../core/model/request';
import type { ChatCall } from '../../core/ports/provider';
import { continuesToolLoopWithoutReasoning, translateMessages } from './messages';
import { isClaudeModel, supportsCachePoints } from './models';
import { withCacheKeyBreakpoints } from '../../core/model/cache-key';
import { translateTools } from './tools';
import type { BedrockSettings } from './settings';
import { CLAUDE_MIN_THINKING_BUDGET, claudeThinkingBudget } from '../shared/thinking-budget';
import { anyValue, nonZero, OPENAI_ONLY_PARAMETERS, rejectUnsupportedParameters, type UnsupportedParameter } from '../shared/unsupported-params';

/** A Converse request plus what the response translators need to know about it. */
export interface ConverseTranslation {
  input: ConverseRequest;
  /** See {@link ToolTranslation.responseTool}. */
  responseTool: string | undefined;
}

/** OpenAI parameters Converse has no equivalent for (a default value is harmless). */
const UNSUPPORTED: readonly UnsupportedParameter[] = [
  ...OPENAI_ONLY_PARAMETERS,
  { param: 'n', changesAnswer: (value) => anyValue(value) && value !== 1 },
  { param: 'seed', changesAnswer: anyValue },
  { param: 'presence_penalty', changesAnswer: nonZero },
  { param: 'frequency_penalty', changesAnswer: nonZero },
  { param: 'parallel_tool_calls', changesAnswer: (value) => value === false },
  { param: 'web_search_options', changesAnswer: anyValue },
  { param: 'functions', changesAnswer: anyValue },
  { param: 'function_call', changesAnswer: anyValue },
];

/**
 * Translates a canonical chat request into a Converse (or ConverseStream, same shape) request:
 * messages and system, tools, inference parameters, the reasoning effort as Claude thinking.
 * Parameters Converse cannot honour are a 400 naming them, or dropped when the provider's
 * settings say `dropUnsupportedParams`.
 */
export function buildConverseInput(call: ChatCall, settings: BedrockSettings): ConverseTranslation {
  const { model } = call;
  const caching = supportsCachePoints(model);
  // A client's prompt-cache key becomes cache points only where the model is known to take them.
  const request = caching === true ? withCacheKeyBreakpoints(call.request) : call.request;
  const drop = settings.dropUnsupportedParams === true;
  rejectUnsupportedParameters(request, UNSUPPORTED, 'Bedrock', drop);
  const { system, messages } = translateMessages(request.messages, { cachePoints: caching !== false });
  const historyHasTools = messages.some((m) => m.content?.some((block) => block.toolUse !== undefined || block.toolResult !== undefined));
  const { toolConfig, responseTool } = translateTools(request, { historyHasTools, dropUnsupportedParams: drop });
  const forcedTool = toolConfig?.toolChoice?.any !== undefined || toolConfig?.toolChoice?.tool !== undefined;
  const thinking = continuesToolLoopWithoutReasoning(messages) ? undefined : thinkingFields(request, model, call.maxOutputTokens, drop, forcedTool);
  const inferenceConfig = inference(request, call.maxOutputTokens);
  return {
    input: {
      modelId: model,
      messages,
      ...(system.length > 0 ? { system } : {}),
      ...(inferenceConfig ? { inferenceConfig } : {}),
      ...(toolConfig ? { toolConfig } : {}),
      ...(thinking ? { additionalModelRequestFields: thinking } : {}),
    },
    responseTool,
  };
}

function inference(request: CanonicalRequest, maxTokens: number | undefined): InferenceConfiguration | undefined {
  const config: InferenceConfiguration = {};
  if (maxTokens !== undefined) config.maxTokens = maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.stop !== undefined) config.stopSequences = request.stop;
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * The reasoning effort → Claude's `thinking` (through `additionalModelRequestFields`, which Converse
 * passes to the model as is). The budget must stay below `maxTokens`, and Claude refuses a forced
 * tool choice while thinking, so both are checked here with a clear message.
 */
function thinkingFields(request: CanonicalRequest, model: string, maxTokens: number | undefined, drop: boolean, forcedTool: boolean): DocumentType | undefined {
  const param = request.paramNames.reasoning;
  const wanted = request.reasoning === undefined ? undefined : claudeThinkingBudget(request.reasoning);
  // `none` (or no effort) asks for no reasoning: nothing to honour on any model.
  if (wanted === undefined) return undefined;
  const reject = (message: string, param: string): undefined => {
    if (drop) return undefined;
    throw invalidRequest(message, param);
  };
  if (!isClaudeModel(model)) return reject(`${param} is not supported by Bedrock model '${model}'.`, param);
  if (forcedTool) {
    const names = request.paramNames;
    return reject(`${param} cannot be combined with a forced tool choice on Claude (${names.toolChoice} required/named, or ${names.output}).`, param);
  }
  const budget = maxTokens === undefined ? wanted : Math.min(wanted, maxTokens - 1);
  if (budget < CLAUDE_MIN_THINKING_BUDGET) return reject(`${param} needs max_tokens above ${CLAUDE_MIN_THINKING_BUDGET} on Claude.`, 'max_tokens');
  return { thinking: { type: 'enabled', budget_tokens: budget } };
}
