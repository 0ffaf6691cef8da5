import OpenAI from 'openai';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { fail, startScriptedUpstreams, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';
import { TestClock } from '../../helpers/test-clock';

describe('per-request routing headers', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness | undefined;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['a', 'b', 'c']);
  });
  afterAll(() => up.close());
  beforeEach(() => up.reset());
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function start(requestControls?: Record<string, boolean>, strategy = 'fallback'): Promise<OpenAI> {
    harness = await startGatewayHarness({
      config: {
        providers: Object.fromEntries(['a', 'b', 'c'].map((name) => [name, { type: 'openai', baseUrl: up.baseUrl(name) }])),
        models: { m: { strategy, targets: ['a', 'b', 'c'].map((name) => ({ provider: name, model: `${name}-model` })) } },
        retry: { attempts: 2, backoffMs: 0 },
        ...(requestControls ? { requestControls } : {}),
      },
      clock: new TestClock(),
    });
    return harness.client();
  }

  const ask = (client: OpenAI, headers: Record<string, string>) =>
    client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }, { headers }).withResponse();
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (thrown: unknown) => thrown as InstanceType<typeof OpenAI.APIError>);

  it('ignores both headers unless the config enables them', async () => {
    const client = await start();
    up.script('a', fail(500));

    const { response } = await ask(client, { 'x-switchyard-target': 'c/c-model', 'x-switchyard-fallback': 'off' });

    expect(up.calls).toEqual(['a', 'a', 'b']);
    expect(response.headers.get('x-switchyard-provider')).toBe('b');
  });

  it('pins the named target of the alias when allowTargetHeader is on', async () => {
    const client = await start({ allowTargetHeader: true });

    const { response } = await ask(client, { 'x-switchyard-target': 'c/c-model' });

    expect(up.calls).toEqual(['c']);
    expect(response.headers.get('x-switchyard-provider')).toBe('c');
  });

  it('keeps retries but never falls back from a pinned target', async () => {
    const client = await start({ allowTargetHeader: true });
    up.script('b', fail(500));

    const error = await failure(ask(client, { 'x-switchyard-target': 'b/b-model' }));

    expect(error?.status).toBe(502);
    expect(up.calls).toEqual(['b', 'b']);
  });

  it('rejects a pinned target that is not part of the alias with 400 naming the header', async () => {
    const client = await start({ allowTargetHeader: true });

    const error = await failure(ask(client, { 'x-switchyard-target': 'a/gpt-5' }));

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error?.code).toBe('unknown_target');
    expect(error?.message).toContain('x-switchyard-target');
    expect(up.calls).toEqual([]);
  });

  it('disables fallback with x-switchyard-fallback: off when allowNoFallbackHeader is on', async () => {
    const client = await start({ allowNoFallbackHeader: true });
    up.script('a', fail(500));

    const error = await failure(ask(client, { 'x-switchyard-fallback': 'off' }));

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error?.headers?.get('x-switchyard-attempts')).toBe('2');
    expect(up.calls).toEqual(['a', 'a']);

    up.calls.length = 0;
    await ask(client, { 'x-switchyard-fallback': 'on' });
    expect(up.calls).toEqual(['a', 'a', 'b']);
  });

  it('keeps only the weighted pick of a loadbalance alias when fallback is off', async () => {
    const client = await start({ allowNoFallbackHeader: true }, 'loadbalance');
    for (const name of ['a', 'b', 'c']) up.script(name, fail(503));

    await failure(ask(client, { 'x-switchyard-fallback': 'off' }));

    expect(new Set(up.calls).size).toBe(1);
    expect(up.calls).toHaveLength(2);
  });

  it('rejects another x-switchyard-fallback value with 400', async () => {
    const client = await start({ allowNoFallbackHeader: true });

    const error = await failure(ask(client, { 'x-switchyard-fallback': 'never' }));

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error?.code).toBe('invalid_routing_header');
    expect(up.calls).toEqual([]);
  });
});
