import { invalidRequest, type GatewayError } from '../../core/errors';
import type { ChatCompletionRequest } from '../../core/openai/types';
import { CLAUDE_MIN_THINKING_BUDGET, claudeThinkingBudget } from '../shared/thinking-budget';


type Check = (value: unknown) => boolean;
const isSet: Check = (value) => value !== undefined && value !== null;
const nonZero: Check = (value) => isSet(value) && value !== 0;

/**
 * OpenAI parameters the Messages API has no equivalent for, each with the test of a value that
 * would change the answer (a default such as `n: 1` or `presence_penalty: 0` is harmless).
 */
const UNSUPPORTED: ReadonlyArray<readonly [param: string, changesAnswer: Check]> = [
  ['n', (value) => typeof value === 'number' && value > 1],
  ['logprobs', (value) => value === true],
  ['top_logprobs', isSet],
  ['presence_penalty', nonZero],
  ['frequency_penalty', nonZero],
  ['seed', isSet],
  ['logit_bias', (value) => isSet(value) && Object.keys(value as object).length > 0],
  ['audio', isSet],
  ['prediction', isSet],
  ['modalities', (value) => Array.isArray(value) && value.some((modality) => modality !== 'text')],
];

/** The 400 for a parameter Anthropic cannot honour, naming it. */
export function unsupportedParam(param: string, detail = 'is not supported by Anthropic models'): GatewayError {
  return invalidRequest(
    `The parameter '${param}' ${detail}. Remove it, or set dropUnsupportedParams on the provider to ignore it.`,
    param,
    'unsupported_parameter',
  );
}

/**
 * Rejects (or, with `dropUnsupportedParams`, ignores) the parameters of {@link UNSUPPORTED}.
 * Ignoring needs no work: the request builder only copies the parameters it translates.
 */
export function checkUnsupportedParams(request: ChatCompletionRequest, drop: boolean): void {
  if (drop) return;
  for (const [param, changesAnswer] of UNSUPPORTED) {
    if (changesAnswer(request[param])) throw unsupportedParam(param);
  }
}

/** The sampling and thinking fields of the request body. */
export interface SamplingFields {
  temperature?: number;
  top_p?: number;
  thinking?: { type: 'enabled'; budget_tokens: number };
}

/**
 * Translates `temperature`, `top_p` and `reasoning_effort`.
 *
 * Anthropic's temperature range is 0–1 (OpenAI's 0–2), and with thinking enabled it accepts
 * only temperature 1 and top_p ≥ 0.95. Values outside those are unsupported parameters: a 400,
 * or dropped (Anthropic's default temperature is 1, so dropping equals clamping).
 * The thinking budget must stay below `max_tokens`, which counts thinking too. With `canThink`
 * false (see `continuesToolLoopWithoutThinking`) thinking stays off for this turn.
 */
export function samplingFields(request: ChatCompletionRequest, maxTokens: number, drop: boolean, canThink: boolean): SamplingFields {
  const fields: SamplingFields = {};
  const budget = request.reasoning_effort != null && canThink ? claudeThinkingBudget(request.reasoning_effort) : undefined;
  if (budget !== undefined) {
    const capped = Math.min(budget, maxTokens - 1);
    if (capped < CLAUDE_MIN_THINKING_BUDGET) {
      const param = isSet(request.max_completion_tokens) ? 'max_completion_tokens' : 'max_tokens';
      throw invalidRequest(`reasoning_effort needs ${param} above ${CLAUDE_MIN_THINKING_BUDGET} on Anthropic models (thinking counts towards it).`, param);
    }
    fields.thinking = { type: 'enabled', budget_tokens: capped };
  }
  const thinking = fields.thinking !== undefined;
  const { temperature, top_p: topP } = request;
  if (typeof temperature === 'number') {
    const allowed = thinking ? temperature === 1 : temperature <= 1;
    if (allowed) fields.temperature = temperature;
    else if (!drop) throw unsupportedParam('temperature', thinking ? 'must be 1 (or unset) when reasoning_effort is set on Anthropic models' : 'must be between 0 and 1 on Anthropic models');
  }
  if (typeof topP === 'number') {
    if (!thinking || topP >= 0.95) fields.top_p = topP;
    else if (!drop) throw unsupportedParam('top_p', 'must be at least 0.95 when reasoning_effort is set on Anthropic models');
  }
  return fields;
}
