import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { assertOpenAiSchema } from '../../helpers/openai-schemas';
import { expectSettled, faultConfig, misbehavingUpstream, onlyEvent, type MisbehavingUpstream } from '../../helpers/hardening/fault-kit';

/**
 * Upstreams that hang or drop the connection, before answering or in the middle of a stream:
 * timeouts fire, routing falls back where it can, the client always gets an OpenAI-format answer
 * (an error event mid-stream), the upstream call is abandoned, and the budget is settled.
 */
describe('upstream hangs and resets', () => {
  let behaviour: MisbehavingUpstream;
  let upstream: FakeUpstream;
  let harness: GatewayHarness;
  let keyId: string;
  let key: string;
  let seen = 0;

  beforeAll(async () => {
    behaviour = misbehavingUpstream();
    upstream = await startFakeUpstream((request, res) => behaviour.handler(request, res));
    harness = await startGatewayHarness({ config: faultConfig(upstream.url), key: { name: 'budgeted', budget: { usd: 100, period: 'month' } } });
    ({ keyId, key } = harness);
  });
  afterEach(async () => {
    seen = (await harness.usageEvents()).length;
    await expectSettled(harness, keyId);
  });
  afterAll(async () => {
    behaviour.releaseAll();
    await harness.close();
    await upstream.close();
  });

  const post = (model: string, stream = false) =>
    fetch(`${harness.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }) });

  it('a target that never answers times out on first byte, is retried, then the route falls back', async () => {
    const abandonedBefore = behaviour.abandoned;
    const response = await post('fallback');
    expect(response.status).toBe(200);
    assertOpenAiSchema('CreateChatCompletionResponse', await response.json());
    expect(response.headers.get('x-switchyard-attempts')).toBe('3');
    expect(behaviour.abandoned - abandonedBefore).toBe(2);
    expect(await onlyEvent(harness, seen)).toMatchObject({ status: 'ok', attempts: 3, fallbacks: 1 });
  });

  it('when every attempt hangs the client gets a 504 and is charged nothing', async () => {
    const response = await post('hang');
    expect(response.status).toBe(504);
    expect((await response.json()).error.code).toBe('upstream_first_byte_timeout');
    expect(await onlyEvent(harness, seen)).toMatchObject({ status: 'error', http_status: 504, cost_micro_usd: 0 });
  });

  it('a connection reset before the answer is retried, then the route falls back', async () => {
    const response = await post('reset-fallback');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-attempts')).toBe('3');
    expect(await onlyEvent(harness, seen)).toMatchObject({ status: 'ok', fallbacks: 1 });
  });

  it.each([
    ['goes silent', 'hang-midstream', 'upstream_idle_timeout'],
    ['drops the connection', 'reset-midstream', 'upstream_connection_error'],
  ])('a stream whose upstream %s ends with an error event and an estimated charge', async (_name, model, code) => {
    const response = await post(model, true);
    expect(response.status).toBe(200);
    const frames = (await response.text()).split('\n\n').filter((frame) => frame.startsWith('data: '));
    const last = JSON.parse((frames.at(-1) as string).slice(6));
    assertOpenAiSchema('ErrorResponse', last);
    expect(last.error.code).toBe(code);
    const event = await onlyEvent(harness, seen);
    expect(event).toMatchObject({ status: 'upstream_cut', usage_estimated: true });
    expect(event.cost_micro_usd).toBeGreaterThan(0);
  });
});
