import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';

import { createGateway, type Gateway } from '../../functions/core/gateway';
import { createKeyRecord, type NewKeyOptions } from '../../functions/core/keys/new-key';
import { systemClock, type Clock } from '../../functions/core/ports/clock';
import type { KeyAdminStore, KeyRecord } from '../../functions/core/ports/key-store';
import { silentLogger } from '../../functions/core/ports/logger';
import type { SpendStore } from '../../functions/core/ports/spend-store';
import type { UsageEvent } from '../../functions/core/usage/usage-event';
import { defaultProviders } from '../../functions/providers/registry';
import { parseConfig } from '../../functions/providers/config';

/** Test price of the fake model: USD per 1M tokens, so each token costs 1 or 2 micro-USD. */
const TEST_PRICE = { input: 1, output: 2 };

/** A gateway on real stores, in front of a fake OpenAI upstream, with its usage events. */
export interface BudgetGateway {
  gateway: Gateway;
  events: UsageEvent[];
  /** Resolves once every request's after-response work (settlement, usage event) is done. */
  settled(): Promise<void>;
  /** Creates a key in the key store and returns an OpenAI client that uses it. */
  client(options: Omit<NewKeyOptions, 'name'> & { name?: string }): Promise<{ client: OpenAI; record: KeyRecord; key: string }>;
}

/**
 * Builds the gateway with model alias `fake` → the fake upstream at `upstreamUrl`, priced
 * `price` (default {@link TEST_PRICE}), admitting with `budgets.waitMs` = `waitMs` (default: the
 * config's). The default clock's `sleep` returns at once (no real backoff).
 */
export function budgetGateway(options: { keys: KeyAdminStore; spend: SpendStore; upstreamUrl: string; clock?: Clock; price?: { input: number; output: number }; waitMs?: number }): BudgetGateway {
  const clock = options.clock ?? { ...systemClock, sleep: async () => undefined };
  const price = options.price ?? TEST_PRICE;
  const config = parseConfig({
    providers: { fake: { type: 'openai', baseUrl: `${options.upstreamUrl}/v1` } },
    models: { fake: { targets: [{ provider: 'fake', model: 'fake-model', price }] }, other: { targets: [{ provider: 'fake', model: 'fake-model', price }] } },
    retry: { attempts: 1 },
    ...(options.waitMs !== undefined ? { budgets: { waitMs: options.waitMs } } : {}),
  });
  const events: UsageEvent[] = [];
  const pending: Promise<unknown>[] = [];
  const gateway = createGateway(
    {
      keyStore: options.keys,
      spendStore: options.spend,
      secrets: { get: async () => undefined },
      usageSink: { write: async (event) => void events.push(event) },
      clock,
      logger: silentLogger,
      fetch: globalThis.fetch.bind(globalThis),
      providers: defaultProviders,
    },
    config,
  );
  const withWait: Gateway = (request, context = {}) => gateway(request, { ...context, waitUntil: (promise) => void pending.push(promise) });
  let created = 0;
  return {
    gateway: withWait,
    events,
    settled: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
    client: async (keyOptions) => {
      created += 1;
      const { key, record } = await createKeyRecord({ name: `test ${created}`, ...keyOptions }, new Date(clock.now()));
      await options.keys.put(record);
      const client = new OpenAI({
        apiKey: key,
        baseURL: 'http://gateway.test/v1',
        maxRetries: 0,
        fetch: (url, init) => withWait(new Request(url, init as RequestInit)),
      });
      return { client, record, key };
    },
  };
}

/** An OpenAI stream chunk of the fake upstream. */
function chunk(delta: Record<string, unknown>, finish: string | null, usage?: Record<string, number>): string {
  const body = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: usage ? [] : [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...(usage ? { usage } : {}) };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** Usage the fake upstream reports for every completed stream. */
export const FAKE_USAGE = { prompt_tokens: 20, completion_tokens: 40, total_tokens: 60 };
/** The cost of {@link FAKE_USAGE} at {@link TEST_PRICE}, in micro-USD. */
export const FAKE_COST = 20 * TEST_PRICE.input + 40 * TEST_PRICE.output;

/**
 * Writes an OpenAI SSE stream: the first content chunk at once, then waits for `hold` (if given),
 * then the rest, a usage chunk and `[DONE]`.
 */
export async function writeFakeStream(res: ServerResponse, hold?: Promise<void>): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(chunk({ role: 'assistant', content: 'Hello' }, null));
  await hold;
  res.write(chunk({ content: ' world' }, null));
  res.write(chunk({}, 'stop'));
  res.write(chunk({}, null, FAKE_USAGE));
  res.end('data: [DONE]\n\n');
}

/** The request every test sends: identical bodies, so identical reservations. */
export const CHAT = { model: 'fake', messages: [{ role: 'user' as const, content: 'Say hello.' }], max_tokens: 100 };
