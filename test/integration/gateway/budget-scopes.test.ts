import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { keyUserScope, tagScope, teamUserScope } from '../../../functions/core/ports/spend-store';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';

// End-user and tag budgets (issue 16, item 4) as the official SDKs meet them: the end user named
// by OpenAI's `user`, Anthropic's `metadata.user_id` or the x-switchyard-user header, a tag by
// x-switchyard-tags; each charged on its own scope, and refused in the caller's protocol, naming
// the budget, when it cannot pay.

// 1 micro-USD per token; every call may produce 1,000 output tokens, so each reservation is a
// little over $0.001 and a $0.0005 budget refuses every request.
const PRICE = { input: 1, output: 1 };
const TINY = { usd: 0.0005, period: 'day' as const };
const AMPLE = { usd: 1, period: 'day' as const };

describe('end-user and tag budgets through the SDKs', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({
      config: {
        providers: { demo: { type: 'mock' } },
        models: { priced: { targets: [{ provider: 'demo', model: 'm', maxOutputTokens: 1000, price: PRICE }] } },
      },
    });
  });
  afterAll(() => harness.close());

  /** A key of `team` whose per-user budget is `perUser`. */
  async function keyWith(team: string, perUser?: { usd: number; period: 'day' }): Promise<{ key: string; keyId: string }> {
    const created = await harness.createKey({ name: `${team}-app`, team });
    if (perUser) {
      const record = await harness.local.keyStore.get(created.keyId);
      await harness.local.keyStore.replace({ ...record!, perUserBudget: perUser });
    }
    return created;
  }

  const spentOn = async (scope: string): Promise<number> => (await harness.local.spendStore.getSpend(scope, 'day', Date.now())).spentMicroUsd;

  it('charges the end user the OpenAI SDK names in `user` — or the x-switchyard-user header, which wins — under the key’s per-user budget', async () => {
    const { key, keyId } = await keyWith('chat', AMPLE);

    await harness.client(key).chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }], user: 'alice' });
    const headerClient = new OpenAI({ baseURL: harness.baseURL, apiKey: key, maxRetries: 0, defaultHeaders: { 'x-switchyard-user': 'carol' } });
    await headerClient.chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }], user: 'alice' });

    const events = (await harness.usageEvents()).filter((event) => event.key_id === keyId);
    expect(events.map((event) => event.user)).toEqual(['alice', 'carol']);
    expect(await spentOn(keyUserScope(keyId, 'alice'))).toBe(events[0]!.cost_micro_usd);
    expect(await spentOn(keyUserScope(keyId, 'carol'))).toBe(events[1]!.cost_micro_usd);
    expect(events[0]!.cost_micro_usd).toBeGreaterThan(0);
  });

  it('charges the end user of the Anthropic SDK’s metadata.user_id under the team’s per-user budget, and refuses one it cannot pay for in Anthropic’s envelope', async () => {
    await harness.local.keyStore.putTeam({ team: 'agents', perUserBudget: AMPLE });
    const { key } = await keyWith('agents');
    const anthropic = new Anthropic({ baseURL: harness.url, apiKey: key, maxRetries: 0 });

    await anthropic.messages.create({ model: 'priced', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }], metadata: { user_id: 'dave' } });
    const [event] = (await harness.usageEvents()).filter((e) => e.team === 'agents');
    expect(event).toMatchObject({ user: 'dave', endpoint: '/v1/messages' });
    expect(await spentOn(teamUserScope('agents', 'dave'))).toBe(event!.cost_micro_usd);

    // A team whose per-user budget is smaller than one request's reservation.
    await harness.local.keyStore.putTeam({ team: 'interns', perUserBudget: TINY });
    const intern = new Anthropic({ baseURL: harness.url, apiKey: (await keyWith('interns')).key, maxRetries: 0 });
    const refused = await intern.messages.create({ model: 'priced', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }], metadata: { user_id: 'erin' } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    expect((refused as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('Budget exceeded for user erin of team interns') } });
    // No end user named: no per-user budget applies.
    await expect(intern.messages.create({ model: 'priced', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] })).resolves.toMatchObject({ type: 'message' });
  });

  it('charges a tag budget across keys, and refuses every key once the tag cannot pay', async () => {
    // Both before any request: the gateway reads tag budgets through its 10-second settings cache.
    await harness.local.keyStore.putTagBudget({ tag: 'feature=summaries', budget: AMPLE });
    await harness.local.keyStore.putTagBudget({ tag: 'feature=drafts', budget: TINY });
    const first = await keyWith('docs');
    const second = await keyWith('search');
    const tagged = (key: string, tags: string): OpenAI => new OpenAI({ baseURL: harness.baseURL, apiKey: key, maxRetries: 0, defaultHeaders: { 'x-switchyard-tags': tags } });

    await tagged(first.key, 'feature=summaries').chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }] });
    await tagged(second.key, 'feature=summaries').chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }] });
    const events = (await harness.usageEvents()).filter((event) => event.tags.feature === 'summaries');
    expect(events).toHaveLength(2);
    expect(await spentOn(tagScope('feature=summaries'))).toBe(events[0]!.cost_micro_usd + events[1]!.cost_micro_usd);

    const refused = await tagged((await keyWith('docs')).key, 'feature=drafts').chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('Budget exceeded for tag feature=drafts');
  });
});
