import type { ReasoningEffort } from '../../core/model/request';

/** Claude's smallest extended-thinking budget, in tokens. */
export const CLAUDE_MIN_THINKING_BUDGET = 1024;

/**
 * Claude extended-thinking budgets per `reasoning_effort`, one table for every route to Claude, so
 * the same model thinks the same through Anthropic and through Bedrock. `none` is thinking off;
 * `minimal` is Claude's smallest budget; the steps grow about fourfold like OpenAI's effort levels,
 * and `high` stays well under current Claude models' output limits so visible text still fits.
 */
const CLAUDE_THINKING_BUDGETS: Readonly<Record<ReasoningEffort, number | undefined>> = {
  none: undefined,
  minimal: CLAUDE_MIN_THINKING_BUDGET,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
};

/**
 * The Claude thinking budget of a request's reasoning: the client's own budget when it gave one,
 * else the budget of its effort; `undefined` when that means no thinking.
 */
export function claudeThinkingBudget(reasoning: { effort: ReasoningEffort; budgetTokens?: number }): number | undefined {
  if (reasoning.effort === 'none') return undefined;
  return reasoning.budgetTokens ?? CLAUDE_THINKING_BUDGETS[reasoning.effort];
}
