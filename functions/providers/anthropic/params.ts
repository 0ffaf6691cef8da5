import { invalidRequest, type GatewayError } from '../../core/errors';
import type { CanonicalRequest } from '../../core/model/request';
import { CLAUDE_MIN_THINKING_BUDGET, claudeThinkingBudget } from '../shared/thinking-budget';
import { anyValue, nonZero, OPENAI_ONLY_PARAMETERS, rejectUnsupportedParameters, unsupportedParameter, type UnsupportedParameter } from '../shared/unsupported-params';

/** OpenAI parameters the Messages API has no equivalent for (a default value is harmless). */
const UNSUPPORTED: readonly UnsupportedParameter[] = [
  ...OPENAI_ONLY_PARAMETERS,
  { param: 'n', changesAnswer: (value) => typeof value === 'number' && value > 1 },
  { param: 'presence_penalty', changesAnswer: nonZero },
  { param: 'frequency_penalty', changesAnswer: nonZero },
  { param: 'seed', changesAnswer: anyValue },
];

/** The 400 for a parameter (or value) Anthropic cannot honour, naming it. */
function unsupportedParam(param: string, detail = 'is not supported by Anthropic models'): GatewayError {
  return unsupportedParameter(param, 'Anthropic models', detail);
}

/** Rejects (or, with `dropUnsupportedParams`, ignores) the parameters of {@link UNSUPPORTED}. */
export function checkUnsupportedParams(request: CanonicalRequest, drop: boolean): void {
  rejectUnsupportedParameters(request, UNSUPPORTED, 'Anthropic models', drop);
}

/** The sampling and thinking fields of the request body. */
export interface SamplingFields {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  thinking?: { type: 'enabled'; budget_tokens: number };
}

/**
 * Translates temperature, top-p and the reasoning effort.
 *
 * Anthropic's temperature range is 0–1 (OpenAI's 0–2), and with thinking enabled it accepts
 * only temperature 1 and top_p ≥ 0.95. Values outside those are unsupported parameters: a 400,
 * or dropped (Anthropic's default temperature is 1, so dropping equals clamping).
 * The thinking budget must stay below `max_tokens`, which counts thinking too. With `canThink`
 * false (see `continuesToolLoopWithoutThinking`) thinking stays off for this turn.
 */
export function samplingFields(request: CanonicalRequest, maxTokens: number, drop: boolean, canThink: boolean): SamplingFields {
  const fields: SamplingFields = {};
  const names = request.paramNames;
  const budget = request.reasoning && canThink ? claudeThinkingBudget(request.reasoning) : undefined;
  if (budget !== undefined) {
    const capped = Math.min(budget, maxTokens - 1);
    if (capped < CLAUDE_MIN_THINKING_BUDGET) {
      const param = anyValue(request.maxOutputTokens) ? names.maxOutputTokens : 'max_tokens';
      throw invalidRequest(`${names.reasoning} needs ${param} above ${CLAUDE_MIN_THINKING_BUDGET} on Anthropic models (thinking counts towards it).`, param);
    }
    fields.thinking = { type: 'enabled', budget_tokens: capped };
  }
  const thinking = fields.thinking !== undefined;
  const { temperature, topP } = request;
  if (temperature !== undefined) {
    const allowed = thinking ? temperature === 1 : temperature <= 1;
    if (allowed) fields.temperature = temperature;
    else if (!drop) throw unsupportedParam(names.temperature, thinking ? `must be 1 (or unset) when ${names.reasoning} is set on Anthropic models` : 'must be between 0 and 1 on Anthropic models');
  }
  if (topP !== undefined) {
    if (!thinking || topP >= 0.95) fields.top_p = topP;
    else if (!drop) throw unsupportedParam(names.topP, `must be at least 0.95 when ${names.reasoning} is set on Anthropic models`);
  }
  if (request.topK !== undefined) fields.top_k = request.topK;
  return fields;
}
