import OpenAI from 'openai';
import { CircuitBreaker, healthOf } from '../../../functions/core/routing/circuit-breaker';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { fail, ok, startScriptedUpstreams, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';
import { TestClock } from '../../helpers/test-clock';

describe('CircuitBreaker', () => {
  const settings = { failures: 3, windowMs: 1000, cooldownMs: 5000 };

  it('opens after the configured failures within the window, not before', () => {
    const breaker = new CircuitBreaker(settings);
    breaker.record('t', 'failure', 0);
    breaker.record('t', 'failure', 500);
    expect(breaker.tryAcquire('t', 600)).toBe(true);

    breaker.record('t', 'failure', 900);

    expect(breaker.tryAcquire('t', 901)).toBe(false);
    expect(breaker.tryAcquire('other', 901)).toBe(true);
    expect(breaker.reopensAt('t')).toBe(5900);
  });

  it('forgets failures that slid out of the window', () => {
    const breaker = new CircuitBreaker(settings);
    breaker.record('t', 'failure', 0);
    breaker.record('t', 'failure', 600);
    breaker.record('t', 'failure', 1200);

    expect(breaker.tryAcquire('t', 1201)).toBe(true);
  });

  it('ignores neutral outcomes and successes while closed', () => {
    const breaker = new CircuitBreaker(settings);
    for (let at = 0; at < 10; at++) breaker.record('t', 'neutral', at);
    breaker.record('t', 'success', 10);

    expect(breaker.tryAcquire('t', 11)).toBe(true);
  });

  it('lets exactly one probe through after the cooldown; a successful probe closes the circuit', () => {
    const breaker = new CircuitBreaker(settings);
    for (const at of [0, 1, 2]) breaker.record('t', 'failure', at);

    expect(breaker.tryAcquire('t', 5001)).toBe(false);
    expect(breaker.tryAcquire('t', 5002)).toBe(true);
    expect(breaker.tryAcquire('t', 5003)).toBe(false);
    breaker.record('t', 'success', 5004);

    expect(breaker.tryAcquire('t', 5005)).toBe(true);
    expect(breaker.tryAcquire('t', 5006)).toBe(true);
    expect(breaker.reopensAt('t')).toBe(0);
  });

  it('reopens for another cooldown when the probe fails', () => {
    const breaker = new CircuitBreaker(settings);
    for (const at of [0, 1, 2]) breaker.record('t', 'failure', at);
    expect(breaker.tryAcquire('t', 6000)).toBe(true);

    breaker.record('t', 'failure', 6100);

    expect(breaker.tryAcquire('t', 11_099)).toBe(false);
    expect(breaker.tryAcquire('t', 11_100)).toBe(true);
  });

  it('hands the probe to the next request when the probe ended neutrally', () => {
    const breaker = new CircuitBreaker(settings);
    for (const at of [0, 1, 2]) breaker.record('t', 'failure', at);
    expect(breaker.tryAcquire('t', 6000)).toBe(true);

    breaker.record('t', 'neutral', 6001);

    expect(breaker.tryAcquire('t', 6002)).toBe(true);
    expect(breaker.tryAcquire('t', 6003)).toBe(false);
  });

  it('ignores late failures of attempts that started before the circuit opened', () => {
    const breaker = new CircuitBreaker(settings);
    for (const at of [0, 1, 2]) breaker.record('t', 'failure', at);
    breaker.record('t', 'failure', 4000);

    expect(breaker.reopensAt('t')).toBe(5002);
  });

  it('opens at once for a provider-asked duration, also without cooldown settings, and closes after a failed probe then', () => {
    const breaker = new CircuitBreaker();
    breaker.record('t', 'failure', 0);
    expect(breaker.tryAcquire('t', 1)).toBe(true);
    breaker.record('t', 'failure', 1);

    breaker.openFor('t', 10, 60_000);

    expect(breaker.tryAcquire('t', 59_999)).toBe(false);
    expect(breaker.reopensAt('t')).toBe(60_010);
    expect(breaker.tryAcquire('t', 60_010)).toBe(true);
    breaker.record('t', 'failure', 60_011);
    expect(breaker.tryAcquire('t', 60_012)).toBe(true);
  });

  it.each([
    ['rate_limit', 'failure'],
    ['server_error', 'failure'],
    ['timeout', 'failure'],
    ['connection', 'failure'],
    ['auth', 'failure'],
    ['not_found', 'failure'],
    ['context_length', 'neutral'],
    ['content_policy', 'neutral'],
    ['invalid_request', 'neutral'],
    ['client', 'neutral'],
  ] as const)('counts a %s error as %s', (errorClass, health) => {
    expect(healthOf(errorClass)).toBe(health);
  });
});

describe('cooldown through the gateway', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness | undefined;
  let clock: TestClock;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['a', 'b']);
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

  async function start(targets: string[]): Promise<OpenAI> {
    harness = await startGatewayHarness({
      config: {
        providers: { a: { type: 'openai', baseUrl: up.baseUrl('a') }, b: { type: 'openai', baseUrl: up.baseUrl('b') } },
        models: { m: { targets: targets.map((name) => ({ provider: name, model: `${name}-model` })) } },
        retry: { attempts: 1 },
        cooldown: { failures: 2, windowMs: 60_000, cooldownMs: 30_000 },
      },
      clock,
    });
    return harness.client();
  }

  const ask = (client: OpenAI) => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();

  it('skips a failing target during its cooldown, probes it once after, and uses it again when healthy', async () => {
    const client = await start(['a', 'b']);
    up.script('a', fail(500));

    await ask(client);
    await ask(client);
    expect(up.calls).toEqual(['a', 'b', 'a', 'b']);

    up.calls.length = 0;
    const skipped = await ask(client);
    expect(up.calls).toEqual(['b']);
    expect(skipped.response.headers.get('x-switchyard-provider')).toBe('b');
    expect(skipped.response.headers.get('x-switchyard-attempts')).toBe('1');

    up.calls.length = 0;
    clock.advance(30_000);
    await ask(client);
    await ask(client);
    expect(up.calls).toEqual(['a', 'b', 'b']);

    up.calls.length = 0;
    clock.advance(30_000);
    up.script('a', ok('recovered'));
    const probe = await ask(client);
    await ask(client);
    expect(up.calls).toEqual(['a', 'a']);
    expect(probe.data.choices[0]?.message.content).toBe('recovered');
  });

  it('does not count request-specific failures (context length) against the target', async () => {
    const client = await start(['a', 'b']);
    up.script('a', fail(400, "This model's maximum context length is 8192 tokens.", 'context_length_exceeded'));

    for (let i = 0; i < 3; i++) await ask(client);

    expect(up.calls).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('answers 503 with retry-after when every target is cooling down, without calling upstream', async () => {
    const client = await start(['a']);
    up.script('a', fail(500));
    for (let i = 0; i < 2; i++) await ask(client).catch(() => undefined);
    up.calls.length = 0;
    clock.advance(10_000);

    const error = (await ask(client).catch((thrown: unknown) => thrown)) as InstanceType<typeof OpenAI.APIError>;

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('targets_cooling_down');
    expect(error.headers?.get('retry-after')).toBe('20');
    expect(error.headers?.get('x-switchyard-attempts')).toBe('0');
    expect(up.calls).toEqual([]);
  });

  it('skips a target whose 429 asked for longer than retry.maxRetryAfterMs, for that long, with no cooldown configured', async () => {
    harness = await startGatewayHarness({
      config: {
        providers: { a: { type: 'openai', baseUrl: up.baseUrl('a') }, b: { type: 'openai', baseUrl: up.baseUrl('b') } },
        models: { m: { targets: [{ provider: 'a', model: 'a-model' }, { provider: 'b', model: 'b-model' }] } },
        retry: { attempts: 2, maxRetryAfterMs: 10_000 },
      },
      clock,
    });
    const client = harness.client();
    up.script('a', fail(429, 'Rate limit reached', 'rate_limit_exceeded', { 'retry-after': '120' }));

    await ask(client);
    expect(up.calls).toEqual(['a', 'b']);
    up.calls.length = 0;
    await ask(client);
    expect(up.calls).toEqual(['b']);

    up.calls.length = 0;
    clock.advance(120_000);
    up.script('a', ok('back'));
    const back = await ask(client);
    expect(up.calls).toEqual(['a']);
    expect(back.data.choices[0]?.message.content).toBe('back');
  });
});
