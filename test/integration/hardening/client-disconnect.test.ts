import { connect, type Socket } from 'node:net';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { eventually, expectSettled, faultConfig, misbehavingUpstream, onlyEvent, type MisbehavingUpstream } from '../../helpers/hardening/fault-kit';

/**
 * A client that goes away at any stage of a request: the gateway notices, abandons the upstream
 * call, settles the budget and writes one usage event with status `client_closed` (HTTP 499).
 */
describe('client disconnect at every stage', () => {
  let behaviour: MisbehavingUpstream;
  let upstream: FakeUpstream;
  let harness: GatewayHarness;
  let seen = 0;

  beforeAll(async () => {
    behaviour = misbehavingUpstream();
    upstream = await startFakeUpstream((request, res) => behaviour.handler(request, res));
    harness = await startGatewayHarness({ config: faultConfig(upstream.url), key: { name: 'budgeted', budget: { usd: 100, period: 'month' } } });
  });
  beforeEach(() => upstream.requests.splice(0));
  afterEach(async () => {
    seen = (await harness.usageEvents()).length;
    await expectSettled(harness, harness.keyId);
  });
  afterAll(async () => {
    behaviour.releaseAll();
    await harness.close();
    await upstream.close();
  });

  /** Opens a raw connection and sends the head of a chat request announcing `length` body bytes. */
  async function rawRequest(length: number): Promise<Socket> {
    const { hostname, port } = new URL(harness.url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${harness.key}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
    return socket;
  }

  const body = (model: string, stream = false) => JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] });

  it('before the body is sent: client_closed, nothing reserved, no upstream call', async () => {
    const socket = await rawRequest(500);
    socket.write('{"model":"ok","mess');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    expect(await onlyEvent(harness, seen)).toMatchObject({ status: 'client_closed', http_status: 499, cost_micro_usd: 0 });
    expect(upstream.requests).toEqual([]);
  });

  it('right after the body, while it is validated and admitted: client_closed', async () => {
    const abandonedBefore = behaviour.abandoned;
    const text = body('hang');
    const socket = await rawRequest(Buffer.byteLength(text));
    socket.end(text);
    socket.destroy();
    expect(await onlyEvent(harness, seen)).toMatchObject({ status: 'client_closed', http_status: 499 });
    // Whether the gateway noticed before or after starting the upstream call, no call survives.
    await eventually(async () => (behaviour.abandoned - abandonedBefore === upstream.requests.length ? true : undefined));
  });

  it('during the upstream call, before its first byte: the call is abandoned', async () => {
    const abandonedBefore = behaviour.abandoned;
    const controller = new AbortController();
    const pending = fetch(`${harness.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body: body('hang'), signal: controller.signal }).catch((error: Error) => error);
    await eventually(async () => (upstream.requests.length === 1 ? true : undefined));
    controller.abort();
    expect(await pending).toHaveProperty('name', 'AbortError');
    expect(await onlyEvent(harness, seen)).toMatchObject({ status: 'client_closed', http_status: 499 });
    await eventually(async () => (behaviour.abandoned > abandonedBefore ? true : undefined));
  });

  it('mid-stream: the upstream stream is abandoned and the partial answer is charged as an estimate', async () => {
    const abandonedBefore = behaviour.abandoned;
    const controller = new AbortController();
    const response = await fetch(`${harness.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body: body('hang-midstream', true), signal: controller.signal });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('partial answer');
    controller.abort();
    const event = await onlyEvent(harness, seen);
    expect(event).toMatchObject({ status: 'client_closed', usage_estimated: true, stream: true });
    expect(event.cost_micro_usd).toBeGreaterThan(0);
    await eventually(async () => (behaviour.abandoned > abandonedBefore ? true : undefined));
  });
});
