import OpenAI from 'openai';
import { DynamoKeyStore } from '../../../functions/adapters/aws/dynamo-key-store';
import { DynamoSpendStore } from '../../../functions/adapters/aws/dynamo-spend-store';
import { keysTableSchema, spendTableSchema } from '../../../functions/adapters/aws/table-schemas';
import { keyScope } from '../../../functions/core/ports/spend-store';
import { systemClock } from '../../../functions/core/ports/clock';
import { budgetGateway, CHAT, FAKE_COST, FAKE_USAGE, writeFakeStream } from '../../helpers/budget-gateway';
import { startGatewayHarness } from '../../helpers/gateway-harness';
import { dynamoDbLocal, type DynamoDbLocal } from '../../helpers/dynamodb-local';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';

const CONCURRENT = 300;
const SEQUENTIAL_LIMIT = 200;

let dynamo: DynamoDbLocal;
let upstream: FakeUpstream;
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));

beforeAll(async () => {
  dynamo = await dynamoDbLocal();
  upstream = await startFakeUpstream((_request, res) => writeFakeStream(res, gate));
}, 90_000);

afterAll(async () => {
  openGate();
  await upstream?.close();
  await dynamo?.stop();
});

/** What one streamed request ended as. */
type Rejection = { served: false; status: number | undefined; code: string | null | undefined; message: string };
type Outcome = { served: true; text: string } | Rejection;

async function streamChat(client: OpenAI): Promise<{ started: Outcome | AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk> }> {
  try {
    return { started: await client.chat.completions.create({ ...CHAT, stream: true }) };
  } catch (error) {
    if (!(error instanceof OpenAI.APIError)) throw error;
    return { started: { served: false, status: error.status, code: error.code, message: error.message } };
  }
}

async function drain(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<Outcome> {
  let text = '';
  for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
  return { served: true, text };
}

describe('a budget under 300 concurrent streaming requests (DynamoDB Local)', () => {
  it('is never exceeded, rejects with 429 budget_exceeded, records every request and leaks no reservation', async () => {
    const keys = new DynamoKeyStore(dynamo.documentClient, await dynamo.createTable(keysTableSchema, 'keys'));
    const spend = new DynamoSpendStore(dynamo.documentClient, await dynamo.createTable(spendTableSchema, 'spend'));
    // Nothing settles during this burst (the streams are held open), so a request waiting for room
    // would wait for nothing: this test looks at the refusals themselves (budgets.waitMs = 0).
    const harness = budgetGateway({ keys, spend, upstreamUrl: upstream.url, waitMs: 0 });
    const budgetUsd = 0.015;
    const limit = budgetUsd * 1e6;
    const { client, record } = await harness.client({ budget: { usd: budgetUsd, period: 'month' } });

    // Burst: every upstream stream stays open after its first chunk until all 300 have an answer,
    // so no reservation is settled while the others compete for the budget.
    const burst = await Promise.all(Array.from({ length: CONCURRENT }, () => streamChat(client)));
    const rejected = burst.map((entry) => entry.started).filter((started): started is Rejection => 'served' in started && !started.served);
    const reservation = Number(/may cost up to \$(\d+\.\d+)/.exec(rejected[0]?.message ?? '')?.[1]) * 1e6;
    openGate();
    const streams = burst.map((entry) => entry.started).filter((started): started is AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk> => !('served' in started));
    const served = await Promise.all(streams.map(drain));
    await harness.settled();

    expect(reservation).toBeGreaterThan(FAKE_COST);
    expect(served).toHaveLength(Math.floor(limit / reservation));
    expect(served.every((outcome) => outcome.served && outcome.text === 'Hello world')).toBe(true);
    expect(rejected).toHaveLength(CONCURRENT - served.length);
    for (const outcome of rejected) expect(outcome).toMatchObject({ served: false, status: 429, code: 'budget_exceeded' });
    expect(harness.events).toHaveLength(CONCURRENT);
    const afterBurst = await spend.getSpend(keyScope(record.keyId), 'month', Date.now());
    expect(afterBurst).toMatchObject({ spentMicroUsd: served.length * FAKE_COST, reservedMicroUsd: 0 });

    // Afterwards: sequential requests are served until what remains is less than one reservation.
    let sequentialServed = 0;
    let last: Outcome | undefined;
    for (let i = 0; i < SEQUENTIAL_LIMIT; i += 1) {
      const { started } = await streamChat(client);
      last = 'served' in started ? started : await drain(started);
      // Settlement runs just after the stream ends; the next request starts once it is done, so a
      // refusal means the budget is really spent, not that the previous hold was still in place.
      await harness.settled();
      if (!last.served) break;
      sequentialServed += 1;
    }
    await harness.settled();

    const final = await spend.getSpend(keyScope(record.keyId), 'month', Date.now());
    expect(last).toMatchObject({ served: false, status: 429, code: 'budget_exceeded' });
    expect(final.reservedMicroUsd).toBe(0);
    expect(final.spentMicroUsd).toBe((served.length + sequentialServed) * FAKE_COST);
    expect(final.spentMicroUsd).toBeLessThanOrEqual(limit);
    expect(limit - final.spentMicroUsd).toBeLessThan(reservation);
    expect(harness.events).toHaveLength(CONCURRENT + sequentialServed + 1);
    expect(harness.events.reduce((sum, event) => sum + event.cost_micro_usd, 0)).toBe(final.spentMicroUsd);
  }, 120_000);
});

/**
 * DESIGN §4 "no false rejections", from outside: 300 concurrent streamed requests on a $1.00
 * budget, each costing $0.019 once settled (the budget pays for 52), each reserving more than
 * that up front. Requests refused only because of the others' reservations wait for them to
 * settle; at most one request the budget could pay for may be lost to the last reservation's
 * bound, so at least 50 are served, and settled spend never passes the budget.
 */
describe('no false rejections: 300 concurrent requests on a $1.00 budget at $0.019 each', () => {
  /** $50 and $450 per million input and output tokens: the fake upstream's 20 + 40 tokens cost $0.019. */
  const PRICE = { input: 50, output: 450 };
  const COST = FAKE_USAGE.prompt_tokens * PRICE.input + FAKE_USAGE.completion_tokens * PRICE.output;
  // An output limit of 60 tokens makes each reservation about $0.033, under twice the real cost.
  const BODY = { ...CHAT, max_tokens: 60 };
  // The whole burst takes 10–15 s alone on DynamoDB Local (about 1,000 transactions and 1,600
  // reads, one table lock), 20–47 s on a machine running other work at once: waiting up to 60 s
  // (default 10 s) keeps this a test of fairness, not of the machine's speed.
  const WAIT_MS = 60_000;
  let streaming: FakeUpstream;

  beforeAll(async () => {
    streaming = await startFakeUpstream((_request, res) => writeFakeStream(res));
  });
  afterAll(() => streaming?.close());

  async function burst(client: OpenAI): Promise<{ served: number; rejected: Rejection[] }> {
    const outcomes = await Promise.all(
      Array.from({ length: CONCURRENT }, async (): Promise<Outcome> => {
        try {
          return await drain(await client.chat.completions.create({ ...BODY, stream: true }));
        } catch (error) {
          if (!(error instanceof OpenAI.APIError)) throw error;
          return { served: false, status: error.status, code: error.code, message: error.message };
        }
      }),
    );
    const rejected = outcomes.filter((outcome): outcome is Rejection => !outcome.served);
    return { served: outcomes.length - rejected.length, rejected };
  }

  function expectFairOutcome(result: { served: number; rejected: Rejection[] }, spentMicroUsd: number, reservedMicroUsd: number): void {
    expect(COST).toBe(19_000);
    expect(result.served).toBeGreaterThanOrEqual(50);
    expect(result.served).toBeLessThanOrEqual(52);
    for (const outcome of result.rejected) expect(outcome).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(spentMicroUsd).toBe(result.served * COST);
    expect(spentMicroUsd).toBeLessThanOrEqual(1_000_000);
    expect(reservedMicroUsd).toBe(0);
  }

  it('on DynamoDB (DynamoDB Local): serves at least 50 of the 52 the budget pays for, one usage event each', async () => {
    const keys = new DynamoKeyStore(dynamo.documentClient, await dynamo.createTable(keysTableSchema, 'keys'));
    const spend = new DynamoSpendStore(dynamo.documentClient, await dynamo.createTable(spendTableSchema, 'spend'));
    const harness = budgetGateway({ keys, spend, upstreamUrl: streaming.url, clock: systemClock, price: PRICE, waitMs: WAIT_MS });
    const { client, record } = await harness.client({ budget: { usd: 1, period: 'month' } });

    const result = await burst(client);
    await harness.settled();

    const spent = await spend.getSpend(keyScope(record.keyId), 'month', Date.now());
    expectFairOutcome(result, spent.spentMicroUsd, spent.reservedMicroUsd);
    expect(harness.events).toHaveLength(CONCURRENT);
  }, 150_000);

  it('on the embedded store, through switchyard serve: the same', async () => {
    const harness = await startGatewayHarness({
      config: {
        providers: { fake: { type: 'openai', baseUrl: `${streaming.url}/v1` } },
        models: { fake: { targets: [{ provider: 'fake', model: 'fake-model', price: PRICE }] } },
        retry: { attempts: 1 },
        budgets: { waitMs: WAIT_MS },
      },
      key: { name: 'burst', budget: { usd: 1, period: 'month' } },
    });
    try {
      const result = await burst(harness.client());
      const events = await harness.usageEvents();

      const spent = await harness.local.spendStore.getSpend(keyScope(harness.keyId), 'month', Date.now());
      expectFairOutcome(result, spent.spentMicroUsd, spent.reservedMicroUsd);
      expect(events).toHaveLength(CONCURRENT);
    } finally {
      await harness.close();
    }
  }, 150_000);
});
