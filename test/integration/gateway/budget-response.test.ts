import OpenAI from 'openai';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { assertOpenAiSchema } from '../../helpers/openai-schemas';

describe('an exhausted budget as the OpenAI SDK sees it', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({
      config: {
        providers: { demo: { type: 'mock' } },
        models: { priced: { targets: [{ provider: 'demo', model: 'm', maxOutputTokens: 1000, price: { input: 1, output: 1 } }] } },
      },
      // $0.0005 covers less than one worst-case reservation (≥ 1000 output tokens × $1/1M = $0.001).
      key: { name: 'tiny', budget: { usd: 0.0005, period: 'month' } },
    });
  });
  afterAll(() => harness.close());

  it('is a 429 budget_exceeded stating the remaining budget, which the SDK does not retry', async () => {
    let attempts = 0;
    const client = new OpenAI({
      baseURL: harness.baseURL,
      apiKey: harness.key,
      maxRetries: 3,
      fetch: (url, init) => {
        attempts++;
        return fetch(url, init);
      },
    });
    const failure = client.chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }] });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const error = (await failure.catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.code).toBe('budget_exceeded');
    expect(error.message).toMatch(/remaining budget \$0\.0005/);
    assertOpenAiSchema('ErrorResponse', { error: error.error });
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(attempts).toBe(1);
    const events = await harness.usageEvents();
    expect(events).toEqual([expect.objectContaining({ status: 'error', http_status: 429, error_type: 'budget_exceeded', cost_micro_usd: 0 })]);
  });
});
