import { REASONING_EFFORTS } from '../../../functions/core/model/request';
import { buildConverseInput } from '../../../functions/providers/bedrock/request';
import { chatCall as bedrockCall } from '../../helpers/providers/bedrock/bedrock-test-kit';
import { body as anthropicBody } from '../../helpers/providers/anthropic/request-helpers';

/** One Claude model behaves the same behind Anthropic and Bedrock (one thinking-budget table). */
describe('Claude thinking budgets through Anthropic and Bedrock', () => {
  it.each(REASONING_EFFORTS)('are the same for reasoning_effort %s', (effort) => {
    const viaAnthropic = anthropicBody({ reasoning_effort: effort }, {}, 64000).thinking;
    const viaBedrock = (buildConverseInput(bedrockCall({ reasoning_effort: effort }, { model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', maxOutputTokens: 64000 }), { type: 'bedrock' }).input
      .additionalModelRequestFields as { thinking?: unknown } | undefined)?.thinking;

    expect(viaBedrock).toEqual(viaAnthropic);
    if (effort === 'none') expect(viaAnthropic).toBeUndefined();
    else expect(viaAnthropic).toEqual({ type: 'enabled', budget_tokens: expect.any(Number) });
  });
});
