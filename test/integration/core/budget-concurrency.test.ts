import OpenAI from 'openai';
import { DynamoKeyStore } from '../../../functions/adapters/aws/dynamo-key-store';
import { DynamoSpendStore } from '../../../functions/adapters/aws/dynamo-spend-store';
import { keysTableSchema, spendTableSchema } from '../../../functions/adapters/aws/table-schemas';
import { keyScope } from '../../../functions/core/ports/spend-store';
import { budgetGateway, CHAT, FAKE_COST, writeFakeStream } from '../../helpers/budget-gateway';
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
    const harness = budgetGateway({ keys, spend, upstreamUrl: upstream.url });
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
