import { TestClock } from '../../helpers/test-clock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { openLocalDatabase } from '../../../functions/adapters/local/sqlite/database';
import { SqliteKeyStore } from '../../../functions/adapters/local/sqlite/key-store';
import { SqliteSpendStore } from '../../../functions/adapters/local/sqlite/spend-store';
import { keyScope } from '../../../functions/core/ports/spend-store';
import { budgetGateway, CHAT, writeFakeStream, type BudgetGateway } from '../../helpers/budget-gateway';
import { sendJson, startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';

let dir: string;
let upstream: FakeUpstream;
let counter = 0;
let spend: SqliteSpendStore;
let harness: BudgetGateway;
const clock = new TestClock(Date.UTC(2026, 10, 24, 10, 0, 15));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-budget-gw-'));
  upstream = await startFakeUpstream((_request, res) => writeFakeStream(res));
});
afterAll(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  counter += 1;
  clock.set(Date.UTC(2026, 10, 24, 10, 0, 15));
  upstream.setHandler((_request, res) => writeFakeStream(res));
  spend = new SqliteSpendStore(openLocalDatabase(join(dir, `${counter}`)));
  harness = budgetGateway({ keys: new SqliteKeyStore(openLocalDatabase(join(dir, `${counter}`))), spend, upstreamUrl: upstream.url, clock });
});

/** Sends a streaming chat request, reads it to the end and returns its status. */
async function streamedStatus(key: string): Promise<number> {
  const response = await postChat(key);
  await response.text();
  return response.status;
}

/** Sends a streaming chat request straight to the gateway with `key`. */
function postChat(key: string, body: object = { ...CHAT, stream: true }): Promise<Response> {
  return harness.gateway(new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error('expected an API error');
}

describe('budget settlement through the gateway', () => {
  it('charges an honest estimate when the client disconnects mid-stream, and releases the rest', async () => {
    upstream.setHandler((_request, res) => writeFakeStream(res, new Promise(() => undefined)));
    const { key, record } = await harness.client({ budget: { usd: 1, period: 'month' } });

    const response = await postChat(key);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    await harness.settled();

    const [event] = harness.events;
    expect(event).toMatchObject({ status: 'client_closed', usage_estimated: true });
    expect(event?.cost_micro_usd).toBeGreaterThan(0);
    expect(await spend.getSpend(keyScope(record.keyId), 'month', clock.now())).toMatchObject({ spentMicroUsd: event?.cost_micro_usd, reservedMicroUsd: 0 });
  });

  it('charges an honest estimate when the upstream fails mid-stream, and releases the rest', async () => {
    upstream.setHandler((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [{ index: 0, delta: { role: 'assistant', content: 'Partial answer' }, finish_reason: null }] })}\n\n`);
      setImmediate(() => res.destroy());
    });
    const { client, record } = await harness.client({ budget: { usd: 1, period: 'month' } });

    const stream = await client.chat.completions.create({ ...CHAT, stream: true });
    await expect((async () => {
      for await (const _chunk of stream) void _chunk;
    })()).rejects.toThrow();
    await harness.settled();

    const [event] = harness.events;
    expect(event).toMatchObject({ status: 'upstream_cut', usage_estimated: true });
    expect(event?.cost_micro_usd).toBeGreaterThan(0);
    expect(await spend.getSpend(keyScope(record.keyId), 'month', clock.now())).toMatchObject({ spentMicroUsd: event?.cost_micro_usd, reservedMicroUsd: 0 });
  });

  it('releases the whole reservation when the upstream fails before answering', async () => {
    upstream.setHandler((_request, res) => sendJson(res, 500, { error: { message: 'boom', type: 'server_error', param: null, code: null } }));
    const { client, record } = await harness.client({ budget: { usd: 1, period: 'month' } });

    const error = await apiError(client.chat.completions.create(CHAT));
    await harness.settled();

    expect(error.status).toBeGreaterThanOrEqual(500);
    expect(harness.events).toHaveLength(1);
    expect(await spend.getSpend(keyScope(record.keyId), 'month', clock.now())).toMatchObject({ spentMicroUsd: 0, reservedMicroUsd: 0 });
  });
});

describe('key checks and rate limits through the gateway', () => {
  it.each([
    ['revoked', { revoked: true }, 'key_revoked'],
    ['expired', { expiresAt: '2026-11-24T10:00:00.000Z' }, 'key_expired'],
  ])('refuse a %s key with 401', async (_name, change, code) => {
    const keys = new SqliteKeyStore(openLocalDatabase(join(dir, `${counter}`)));
    const { client, record } = await harness.client({});
    await keys.replace({ ...record, ...change });

    const error = await apiError(client.chat.completions.create(CHAT));
    expect({ status: error.status, code: error.code }).toEqual({ status: 401, code });
  });

  it('refuses an unknown key with 401 and a model the key may not use with 403', async () => {
    const { client } = await harness.client({ models: ['other'] });
    const stranger = new OpenAI({ apiKey: 'sk-sy-unknown', baseURL: 'http://gateway.test/v1', maxRetries: 0, fetch: (url, init) => harness.gateway(new Request(url, init as RequestInit)) });

    expect((await apiError(stranger.chat.completions.create(CHAT))).status).toBe(401);
    const denied = await apiError(client.chat.completions.create(CHAT));
    expect({ status: denied.status, code: denied.code }).toEqual({ status: 403, code: 'model_not_allowed' });
  });

  it('answers 429 rate_limit_exceeded with retry-after to the next minute once rpm is used up', async () => {
    const { key } = await harness.client({ rpm: 2 });
    expect(await streamedStatus(key)).toBe(200);
    expect(await streamedStatus(key)).toBe(200);

    const limited = await postChat(key);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');

    clock.set(Date.UTC(2026, 10, 24, 10, 1, 0));
    expect(await streamedStatus(key)).toBe(200);
  });

  it('answers 429 once the settled tokens of the minute reach tpm', async () => {
    const { key } = await harness.client({ tpm: 60 });
    expect(await streamedStatus(key)).toBe(200);
    await harness.settled();

    const limited = await postChat(key);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
  });

  it('fails closed with 503 when the spend store is unavailable', async () => {
    const closed = openLocalDatabase(join(dir, `${counter}`, 'closed'));
    const broken = new SqliteSpendStore(closed);
    closed.close();
    harness = budgetGateway({ keys: new SqliteKeyStore(openLocalDatabase(join(dir, `${counter}`))), spend: broken, upstreamUrl: upstream.url, clock });
    const { key } = await harness.client({ budget: { usd: 1, period: 'month' } });
    const before = upstream.requests.length;

    const response = await postChat(key);

    expect(response.status).toBe(503);
    expect(upstream.requests.length).toBe(before);
  });
});
