import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { SHARED_DIR } from '../../helpers/openai-schemas';
import { fail, failWith, ok, resetConnection, startScriptedUpstreams, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';
import { TestClock } from '../../helpers/test-clock';

const GEMINI_FIXTURES = join(SHARED_DIR, 'fixtures', 'gemini', 'nonstream');
const geminiFixture = (name: string): unknown => JSON.parse(readFileSync(join(GEMINI_FIXTURES, name), 'utf8'));

/** Jitter fixed at the middle: a retry waits exactly 3/4 of its exponential step. */
const MID_JITTER = (): number => 0.5;

describe('retries on the same target', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness | undefined;
  let clock: TestClock;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['a', 'b', 'gemini']);
  });
  afterAll(() => up.close());
  beforeEach(() => {
    up.reset();
    clock = new TestClock();
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function start(retry: Record<string, unknown>, targets: string[] = ['a', 'b']): Promise<OpenAI> {
    harness = await startGatewayHarness({
      config: {
        providers: {
          a: { type: 'openai', baseUrl: up.baseUrl('a') },
          b: { type: 'openai', baseUrl: up.baseUrl('b') },
          gemini: { type: 'gemini', baseUrl: up.upstreams.gemini?.url, apiKeySecret: 'gemini' },
        },
        models: { m: { targets: targets.map((name) => ({ provider: name, model: `${name}-model` })) } },
        retry,
      },
      env: { SWITCHYARD_SECRET_GEMINI: 'test-gemini-key' },
      clock,
      random: MID_JITTER,
    });
    return harness.client();
  }

  const ask = (client: OpenAI) => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();

  it('reports the gateway’s own overhead without the upstreams’ time or the backoff (x-switchyard-overhead-ms, overhead_ms)', async () => {
    const client = await start({ attempts: 2, backoffMs: 100 });
    // Each upstream answer takes 700 ms on the test clock; the retry waits 75 ms.
    const slow = (answer: ReturnType<typeof ok>) => (request: Parameters<ReturnType<typeof ok>>[0], res: Parameters<ReturnType<typeof ok>>[1]) => {
      clock.advance(700);
      return answer(request, res);
    };
    up.script('a', slow(fail(500)), slow(ok('after a slow retry')));

    const { response } = await ask(client);

    expect(clock.sleeps).toEqual([75]);
    expect(response.headers.get('x-switchyard-overhead-ms')).toBe('0.00');
    expect((await harness?.usageEvents())?.at(-1)).toMatchObject({ ttft_ms: 1475, overhead_ms: 0 });
  });

  it('retries 500 and 502 with exponential backoff and jitter, then serves from the same target', async () => {
    const client = await start({ attempts: 3, backoffMs: 100 });
    up.script('a', fail(500), fail(502), ok('third time lucky'));

    const { data, response } = await ask(client);

    expect(up.calls).toEqual(['a', 'a', 'a']);
    // Step 1: 100 ms, step 2: 200 ms; equal jitter at 0.5 → 75 and 150.
    expect(clock.sleeps).toEqual([75, 150]);
    expect(data.choices[0]?.message.content).toBe('third time lucky');
    expect(response.headers.get('x-switchyard-provider')).toBe('a');
    expect(response.headers.get('x-switchyard-attempts')).toBe('3');
  });

  it('caps the exponential step at maxBackoffMs', async () => {
    const client = await start({ attempts: 4, backoffMs: 1000, maxBackoffMs: 1500 });
    up.script('a', fail(503), fail(503), fail(503), ok('done'));

    await ask(client);

    expect(clock.sleeps).toEqual([750, 1125, 1125]);
  });

  it.each([
    ['retry-after in seconds', { 'retry-after': '2' }, 2000],
    ['retry-after-ms', { 'retry-after-ms': '1234' }, 1234],
    ['retry-after-ms ahead of retry-after', { 'retry-after-ms': '800', 'retry-after': '5' }, 800],
  ])('honours %s when it is longer than the backoff', async (_name, headers, expected) => {
    const client = await start({ attempts: 2, backoffMs: 100 });
    up.script('a', fail(429, 'Rate limit reached', 'rate_limit_exceeded', headers), ok('after the wait'));

    const { response } = await ask(client);

    expect(up.calls).toEqual(['a', 'a']);
    expect(clock.sleeps).toEqual([expected]);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('keeps the backoff when retry-after asks for less', async () => {
    const client = await start({ attempts: 2, backoffMs: 1000 });
    up.script('a', fail(429, 'slow down', null, { 'retry-after-ms': '10' }), ok('fine'));

    await ask(client);

    expect(clock.sleeps).toEqual([750]);
  });

  it('does not wait for a retry-after beyond maxRetryAfterMs: the next target is tried at once', async () => {
    const client = await start({ attempts: 3, maxRetryAfterMs: 5000 });
    up.script('a', fail(429, 'quota', 'rate_limit_exceeded', { 'retry-after': '60' }));

    const { data, response } = await ask(client);

    expect(up.calls).toEqual(['a', 'b']);
    expect(clock.sleeps).toEqual([]);
    expect(data.choices[0]?.message.content).toBe('hello from b');
    expect(response.headers.get('x-switchyard-provider')).toBe('b');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('passes a long retry-after of the only target to the client as a 429 RateLimitError', async () => {
    const client = await start({ attempts: 3, maxRetryAfterMs: 5000 }, ['a']);
    up.script('a', fail(429, 'quota', 'rate_limit_exceeded', { 'retry-after': '60' }));

    const error = await ask(client).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiError.headers.get('retry-after')).toBe('60');
    expect(apiError.headers.get('x-switchyard-attempts')).toBe('1');
    expect(up.calls).toEqual(['a']);
  });

  it('retries only the upstream statuses listed in retry.onStatus', async () => {
    const client = await start({ attempts: 3, backoffMs: 100, onStatus: [503] });
    up.script('a', fail(500), ok('never asked again'));

    const { response } = await ask(client);

    expect(up.calls).toEqual(['a', 'b']);
    expect(clock.sleeps).toEqual([]);
    expect(response.headers.get('x-switchyard-provider')).toBe('b');

    up.reset();
    up.script('a', fail(503), ok('retried'));
    const second = await ask(client);
    expect(up.calls).toEqual(['a', 'a']);
    expect(second.data.choices[0]?.message.content).toBe('retried');
  });

  it('always retries a connection reset, even with an empty onStatus', async () => {
    const client = await start({ attempts: 2, backoffMs: 100, onStatus: [] });
    up.script('a', resetConnection(), ok('reconnected'));

    const { data, response } = await ask(client);

    expect(up.calls).toEqual(['a', 'a']);
    expect(clock.sleeps).toEqual([75]);
    expect(data.choices[0]?.message.content).toBe('reconnected');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('falls back once retries of a target are exhausted', async () => {
    const client = await start({ attempts: 2, backoffMs: 100 });
    up.script('a', fail(500));

    const { response } = await ask(client);

    expect(up.calls).toEqual(['a', 'a', 'b']);
    expect(clock.sleeps).toEqual([75]);
    expect(response.headers.get('x-switchyard-provider')).toBe('b');
    expect(response.headers.get('x-switchyard-attempts')).toBe('3');
  });

  it('honours Gemini RetryInfo (google.rpc.RetryInfo retryDelay) up to the cap', async () => {
    const client = await start({ attempts: 2, maxRetryAfterMs: 60_000 }, ['gemini']);
    up.script('gemini', failWith(429, geminiFixture('error-429-retry-info.json')), failWith(200, geminiFixture('basic-reply-short.json')));

    const { data, response } = await ask(client);

    expect(clock.sleeps).toEqual([34_400]);
    expect(up.calls).toEqual(['gemini', 'gemini']);
    expect(data.choices[0]?.message.content).toBe('Helena');
    expect(response.headers.get('x-switchyard-provider')).toBe('gemini');
  });

  it('falls back at once when Gemini RetryInfo asks for more than the cap', async () => {
    const client = await start({ attempts: 2, maxRetryAfterMs: 10_000 }, ['gemini', 'a']);
    up.script('gemini', failWith(429, geminiFixture('error-429-retry-info.json')));

    const { response } = await ask(client);

    expect(clock.sleeps).toEqual([]);
    expect(up.calls).toEqual(['gemini', 'a']);
    expect(response.headers.get('x-switchyard-provider')).toBe('a');
  });
});
