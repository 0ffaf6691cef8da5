import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { SHARED_DIR } from '../../helpers/openai-schemas';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { assertOpenAiSchema } from '../../helpers/openai-schemas';
import { hang, rawSse, startScriptedUpstreams, streamThen, type Responder, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';
import { TestClock } from '../../helpers/test-clock';

const anthropicFixture = (name: string): string => readFileSync(join(SHARED_DIR, 'fixtures', 'anthropic', name), 'utf8');

/** Answers 200 with SSE headers, then nothing: the stream never produces its first event. */
const headersThenSilence: Responder = (_request, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.flushHeaders();
};

describe('streams: fallback until the first chunk, an error event after it', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness | undefined;
  let clock: TestClock;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['a', 'b', 'claude']);
  });
  afterAll(() => up.close());
  beforeEach(() => up.reset());
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function start(timeouts: Record<string, number> = {}, first = 'a', retry: Record<string, unknown> = { attempts: 1 }): Promise<OpenAI> {
    harness = await startGatewayHarness({
      config: {
        providers: {
          a: { type: 'openai', baseUrl: up.baseUrl('a') },
          b: { type: 'openai', baseUrl: up.baseUrl('b') },
          claude: { type: 'anthropic', baseUrl: up.upstreams.claude?.url, apiKeySecret: 'anthropic' },
        },
        models: { m: { targets: [{ provider: first, model: `${first}-model` }, { provider: 'b', model: 'b-model' }] } },
        retry,
        timeouts: { firstByteMs: 10_000, ...timeouts },
      },
      env: { SWITCHYARD_SECRET_ANTHROPIC: 'test-anthropic-key' },
      clock: (clock = new TestClock()),
    });
    return harness.client();
  }

  /**
   * Streams `m` through the SDK; returns the chunks' text, the headers and what the SDK raised.
   * `onText` sees the text received so far after each chunk.
   */
  async function streamed(client: OpenAI, onText?: (text: string) => void): Promise<{ text: string; headers: Headers; error: unknown }> {
    const { data: stream, response } = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }).withResponse();
    let text = '';
    let error: unknown;
    try {
      for await (const chunk of stream) {
        assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
        text += chunk.choices[0]?.delta.content ?? '';
        onText?.(text);
      }
    } catch (thrown) {
      error = thrown;
    }
    return { text, headers: response.headers, error };
  }

  /**
   * Once the client has `text`, lets the stream's watchdog time pass in `stepMs` steps until
   * `answer` settles. A step fires the watchdog armed while the gateway waits for the next chunk
   * (re-armed after each ping), so the silence is measured on the test clock, not waited out.
   */
  async function stallAfter<T>(received: Promise<void>, stepMs: number, answer: Promise<T>): Promise<T> {
    let settled = false;
    void answer.finally(() => (settled = true));
    await received;
    for (let step = 0; step < 100 && !settled; step++) {
      await Promise.race([clock.armed(stepMs), answer]);
      if (!settled) clock.advance(stepMs);
      await new Promise(setImmediate);
    }
    return answer;
  }

  /** A promise that `onText` below resolves once the text received is `expected`. */
  function textSeen(expected: string): { seen: Promise<void>; onText(text: string): void } {
    let resolve: () => void = () => undefined;
    const seen = new Promise<void>((r) => (resolve = r));
    return { seen, onText: (text) => text === expected && resolve() };
  }

  it.each<[string, Responder]>([
    ['an OpenAI-compatible error event as its very first event', rawSse('data: {"error":{"message":"The server is overloaded","type":"server_error","code":null}}\n\n')],
    ['an error event carrying an HTTP status code first', rawSse('data: {"error":{"message":"Too many requests","type":"rate_limit_error","code":429}}\n\n')],
    ['malformed SSE (an event that is not JSON) first', rawSse('data: {"id":"chatcmpl-x","choices":[{"delta":\n\n')],
    ['[DONE] before any chunk', rawSse('data: [DONE]\n\n')],
    ['a connection reset before any chunk', (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      setImmediate(() => res.socket?.destroy());
    }],
  ])('falls back when the stream fails with %s: the client sees only the next target', async (_name, responder) => {
    const client = await start();
    up.script('a', responder);

    const { text, headers, error } = await streamed(client);

    expect(error).toBeUndefined();
    expect(up.calls).toEqual(['a', 'b']);
    expect(text).toBe('hello from b');
    expect(headers.get('x-switchyard-provider')).toBe('b');
    expect(headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('falls back from an Anthropic stream whose first event is an overloaded error (529 is not in the default onStatus: no retry)', async () => {
    const client = await start({}, 'claude', { attempts: 2 });
    up.script('claude', rawSse(anthropicFixture('error-overloaded-first-event.sse')));

    const { text, headers, error } = await streamed(client);

    expect(error).toBeUndefined();
    expect(up.calls).toEqual(['claude', 'b']);
    expect(text).toBe('hello from b');
    expect(headers.get('x-switchyard-provider')).toBe('b');
    expect(harness?.logs.find((line) => line.message === 'upstream attempt failed')?.fields).toMatchObject({ target: 'claude/claude-model', upstreamStatus: 529, errorClass: 'server_error', action: 'fallback' });
  });

  it('ends an Anthropic stream overloaded after its first content with an error event, no fallback', async () => {
    const client = await start({}, 'claude');
    up.script('claude', rawSse(anthropicFixture('error-overloaded-midstream.sse')));

    const { text, headers, error } = await streamed(client);

    expect(text).toBe('Hello');
    expect(headers.get('x-switchyard-provider')).toBe('claude');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_overloaded');
    expect(up.calls).toEqual(['claude']);
  });

  it('falls back when the stream never produces a first chunk within firstByteMs', async () => {
    const client = await start({ firstByteMs: 200 });
    up.script('a', headersThenSilence);

    const answer = streamed(client);
    await up.arrivals(1);
    clock.advance(200);
    const { text, headers } = await answer;

    expect(up.calls).toEqual(['a', 'b']);
    expect(text).toBe('hello from b');
    expect(headers.get('x-switchyard-provider')).toBe('b');
  });

  it('after the first chunk, ends a reset stream with an error event the SDK raises as APIError', async () => {
    const client = await start();
    up.script('a', streamThen(['Hel', 'lo'], 'reset'));

    const { text, headers, error } = await streamed(client);

    expect(text).toBe('Hello');
    expect(headers.get('x-switchyard-provider')).toBe('a');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_connection_error');
    expect(up.calls).toEqual(['a']);
    const events = await harness?.usageEvents();
    expect(events?.[0]).toMatchObject({ status: 'upstream_cut', error_type: 'upstream_connection_error', provider: 'a', attempts: 1, fallbacks: 0 });
  });

  it('after the first chunk, ends a stalled stream at idleMs with heartbeats in between', async () => {
    const client = await start({ idleMs: 400, heartbeatMs: 100 });
    up.script('a', streamThen(['Hel'], 'stall'));

    // Once 'Hel' is out, the stream waits on a 100 ms watchdog: pings at 100, 200 and 300, the end at 400.
    const hel = textSeen('Hel');
    const { text, error } = await stallAfter(hel.seen, 100, streamed(client, hel.onText));

    expect(text).toBe('Hel');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_idle_timeout');
    expect(up.calls).toEqual(['a']);

    up.reset();
    up.script('a', streamThen(['Hel'], 'stall'));
    const raw = await fetch(`${harness?.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${harness?.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    const reader = raw.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const hasHel = textSeen('Hel');
    const body = (async () => {
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        received += part.value;
        if (received.includes('"content":"Hel"')) hasHel.onText('Hel');
      }
      return received;
    })();
    const frames = (await stallAfter(hasHel.seen, 100, body)).split('\n\n').filter(Boolean);
    const pings = frames.filter((frame) => frame === ': ping');
    expect(pings).toHaveLength(3);
    expect(frames.indexOf(': ping')).toBeGreaterThan(0);
    expect(frames[frames.length - 1]).toContain('"code":"upstream_idle_timeout"');
  });

  it('ends a stream at the overall deadline (timeouts.totalMs) with an error event', async () => {
    const client = await start({ totalMs: 400, idleMs: 60_000, heartbeatMs: 60_000 });
    up.script('a', streamThen(['Hel'], 'stall'));

    const hel = textSeen('Hel');
    const { text, error } = await stallAfter(hel.seen, 400, streamed(client, hel.onText));

    expect(text).toBe('Hel');
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('deadline_exceeded');
  });

  it('answers 504 deadline_exceeded with the attempts so far when the deadline passes before any answer', async () => {
    const client = await start({ totalMs: 300 });
    up.script('a', hang());

    const answer = client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).then(
      () => undefined,
      (thrown: unknown) => thrown as InstanceType<typeof OpenAI.APIError>,
    );
    await up.arrivals(1);
    clock.advance(300);
    const error = await answer;

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error?.status).toBe(504);
    expect(error?.code).toBe('deadline_exceeded');
    expect(error?.headers?.get('x-switchyard-attempts')).toBe('1');
    expect(error?.headers?.get('x-switchyard-provider')).toBe('a');
    expect(up.calls).toEqual(['a']);
  });
});

describe('non-streamed answers and the first-byte timeout', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness | undefined;
  const clock = new TestClock();

  beforeAll(async () => {
    up = await startScriptedUpstreams(['a', 'b']);
  });
  afterAll(async () => {
    await harness?.close();
    await up.close();
  });

  it('retries and falls back when no response headers arrive within firstByteMs', async () => {
    harness = await startGatewayHarness({
      config: {
        providers: { a: { type: 'openai', baseUrl: up.baseUrl('a') }, b: { type: 'openai', baseUrl: up.baseUrl('b') } },
        models: { m: { targets: [{ provider: 'a', model: 'a-model' }, { provider: 'b', model: 'b-model' }] } },
        retry: { attempts: 2, backoffMs: 10 },
        timeouts: { firstByteMs: 200 },
      },
      clock,
      random: () => 0.5,
    });
    up.script('a', hang());

    const answer = harness.client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    await up.arrivals(1);
    clock.advance(200);
    await up.arrivals(2);
    clock.advance(200);
    const { data, response } = await answer;

    expect(up.calls).toEqual(['a', 'a', 'b']);
    expect(data.choices[0]?.message.content).toBe('hello from b');
    expect(response.headers.get('x-switchyard-attempts')).toBe('3');
    const lines = harness.logs.filter((line) => line.message === 'upstream attempt failed').map((line) => line.fields);
    expect(lines).toEqual([
      expect.objectContaining({ target: 'a/a-model', errorType: 'upstream_first_byte_timeout', errorClass: 'timeout', action: 'retry' }),
      expect.objectContaining({ target: 'a/a-model', errorType: 'upstream_first_byte_timeout', errorClass: 'timeout', action: 'fallback' }),
    ]);
  });

  it('counts response headers as the first byte: a body slower than firstByteMs is still served', async () => {
    up.reset();
    up.script('a', async (_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      // Once the gateway has the headers (its first-byte timer is gone), let far more time pass.
      await clock.disarmed(200);
      clock.advance(500);
      res.end(JSON.stringify({ id: 'chatcmpl-slow', object: 'chat.completion', created: 1, model: 'a-model', choices: [{ index: 0, message: { role: 'assistant', content: 'slow but whole', refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } }));
    });

    const { data, response } = await harness!.client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();

    expect(data.choices[0]?.message.content).toBe('slow but whole');
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    expect(up.calls).toEqual(['a']);
  });
});
