import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { TestClock } from '../../helpers/test-clock';

const chunk = (content: string, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
const usage = `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}\n\n`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('streaming done right', () => {
  let upstream: FakeUpstream;
  let harness: GatewayHarness;
  let upstreamClosed: Promise<void>;
  const clock = new TestClock();

  beforeAll(async () => {
    upstream = await startFakeUpstream(() => undefined);
    harness = await startGatewayHarness({
      config: {
        providers: { up: { type: 'openai', baseUrl: `${upstream.url}/v1` } },
        models: { m: { targets: [{ provider: 'up', model: 'up-model' }] } },
        timeouts: { heartbeatMs: 40, idleMs: 5000 },
        retry: { attempts: 1 },
      },
      clock,
    });
  });
  afterAll(async () => {
    await harness.close();
    await upstream.close();
  });

  const rawStream = (): Promise<Response> =>
    fetch(`${harness.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });

  it('forwards each chunk as it arrives, before the upstream has finished', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('first'));
      await released;
      res.end(chunk(' second', 'stop') + usage + 'data: [DONE]\n\n');
    });
    const response = await rawStream();
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes('first')) seen += decoder.decode((await reader.read()).value);
    expect(seen).not.toContain('second'); // the upstream is still holding the rest
    release();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    expect(seen).toContain('second');
    expect(seen.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('sends SSE comment heartbeats during a long silence, which the SDK ignores', async () => {
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('before'));
      // The gateway, waiting for the next chunk, arms its heartbeat watchdog; let 100 ms pass.
      await clock.armed(40);
      clock.advance(100);
      res.end(chunk(' after', 'stop') + usage + 'data: [DONE]\n\n');
    });
    const text = await (await rawStream()).text();
    const between = text.slice(text.indexOf('before'), text.indexOf(' after'));
    expect(between.match(/^: ping$/gm)).toHaveLength(2);

    const stream = await harness.client().chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    let content = '';
    for await (const part of stream) content += part.choices[0]?.delta.content ?? '';
    expect(content).toBe('before after');
  });

  it('always ends a successful stream with [DONE], even when the upstream omitted it', async () => {
    upstream.setHandler((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(chunk('done', 'stop') + usage);
    });
    const text = await (await rawStream()).text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('turns an upstream failure after the first byte into an error event the SDK raises', async () => {
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('partial'));
      await sleep(20);
      res.socket?.destroy();
    });
    const text = await (await rawStream()).text();
    const frames = text.split('\n\n').filter(Boolean);
    const last = frames[frames.length - 1] ?? '';
    expect(last.startsWith('data: {"error":')).toBe(true);
    expect(JSON.parse(last.slice(6)).error.code).toBe('upstream_connection_error');
    expect(text).not.toContain('[DONE]');

    const stream = await harness.client().chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const consume = async (): Promise<string> => {
      let content = '';
      for await (const part of stream) content += part.choices[0]?.delta.content ?? '';
      return content;
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    const events = await harness.usageEvents();
    expect(events.filter((event) => event.status === 'upstream_cut').length).toBeGreaterThanOrEqual(2);
    expect(events.find((event) => event.status === 'upstream_cut')).toMatchObject({ usage_estimated: true, http_status: 200, error_type: 'upstream_connection_error' });
  });

  it('aborts the upstream request when the client disconnects, and records client_closed', async () => {
    upstreamClosed = new Promise<void>((resolve) => {
      upstream.setHandler((_request, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk('tick'));
        const timer = setInterval(() => res.write(chunk(' tick')), 10);
        res.on('close', () => {
          clearInterval(timer);
          resolve();
        });
      });
    });
    const controller = new AbortController();
    const response = await fetch(`${harness.baseURL}/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await upstreamClosed; // the upstream saw its connection closed: the gateway aborted it
    const events = await harness.usageEvents();
    expect(events.some((event) => event.status === 'client_closed' && event.http_status === 499)).toBe(true);
  });
});
