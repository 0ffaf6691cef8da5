import type { ServerResponse } from 'node:http';
import { keyScope } from '../../../functions/core/ports/spend-store';
import type { UsageEvent } from '../../../functions/core/usage/usage-event';
import { sendJson, type RecordedRequest } from '../fake-upstream';
import type { GatewayHarness } from '../gateway-harness';

/**
 * A misbehaving OpenAI-compatible upstream for fault tests. The provider model name picks the
 * behaviour: `ok`, `hang` (never answers), `hang-midstream` (one chunk, then silence), `reset`
 * (drops the connection before answering) and `reset-midstream` (one chunk, then drops it).
 * It counts connections the gateway closed while they were still open (aborted upstream calls).
 */
export interface MisbehavingUpstream {
  handler(request: RecordedRequest, res: ServerResponse): void;
  /** Responses the gateway abandoned before they were complete. */
  abandoned: number;
  /** Ends every held response (test cleanup). */
  releaseAll(): void;
}

const USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

function chunk(delta: Record<string, unknown>, finish: string | null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
}

/** Creates the upstream behaviour (pass `handler` to `startFakeUpstream`). */
export function misbehavingUpstream(): MisbehavingUpstream {
  const held = new Set<ServerResponse>();
  const state: MisbehavingUpstream = {
    abandoned: 0,
    releaseAll: () => {
      for (const res of held) res.destroy();
      held.clear();
    },
    handler(request, res) {
      const body = (request.json ?? {}) as { model?: string; stream?: boolean };
      res.on('close', () => {
        held.delete(res);
        if (!res.writableFinished) state.abandoned += 1;
      });
      const model = body.model ?? '';
      if (model === 'hang') return void held.add(res);
      if (model === 'reset') return void res.socket?.destroy();
      if (!body.stream) {
        sendJson(res, 200, { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null }, finish_reason: 'stop', logprobs: null }], usage: USAGE });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'Hello there, this is a partial answer' }, null));
      if (model === 'hang-midstream') return void held.add(res);
      if (model === 'reset-midstream') {
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end(chunk({}, 'stop') + `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: USAGE })}\n\n` + 'data: [DONE]\n\n');
    },
  };
  return state;
}

/** Config: one alias per behaviour, plus `fallback` (a hanging target, then a good one). */
export function faultConfig(upstreamUrl: string): unknown {
  const target = (model: string) => ({ provider: 'up', model, price: { input: 1, output: 2 } });
  const models: Record<string, unknown> = {};
  for (const name of ['ok', 'hang', 'hang-midstream', 'reset', 'reset-midstream']) models[name] = { targets: [target(name)] };
  models.fallback = { targets: [target('hang'), target('ok')] };
  models['reset-fallback'] = { targets: [target('reset'), target('ok')] };
  return {
    providers: { up: { type: 'openai', baseUrl: `${upstreamUrl}/v1` } },
    models,
    retry: { attempts: 2, backoffMs: 1 },
    timeouts: { firstByteMs: 300, idleMs: 300, heartbeatMs: 100 },
  };
}

/** Polls `probe` until it returns a value (bounded: a hang fails the test, not slowness). */
export async function eventually<T>(probe: () => Promise<T | undefined>, limitMs = 10_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The usage event of the one request a test made, once it was written. */
export async function onlyEvent(harness: GatewayHarness, seenBefore: number): Promise<UsageEvent> {
  const events = await eventually(async () => {
    const all = await harness.usageEvents();
    return all.length > seenBefore ? all : undefined;
  });
  expect(events).toHaveLength(seenBefore + 1);
  return events[events.length - 1] as UsageEvent;
}

/**
 * The key's monthly budget counter: nothing may stay reserved once requests are over, and spent
 * must equal the sum of the usage events' costs.
 */
export async function expectSettled(harness: GatewayHarness, keyId: string): Promise<void> {
  await harness.server.idle();
  const events = (await harness.usageEvents()).filter((event) => event.key_id === keyId);
  const snapshot = await harness.local.spendStore.getSpend(keyScope(keyId), 'month', Date.now());
  const charged = events.reduce((sum, event) => sum + event.cost_micro_usd, 0);
  expect({ reserved: snapshot.reservedMicroUsd, spent: snapshot.spentMicroUsd }).toEqual({ reserved: 0, spent: charged });
}
