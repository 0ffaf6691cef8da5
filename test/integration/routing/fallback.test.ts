import OpenAI from 'openai';
import { classifyUpstreamError } from '../../../functions/providers/error-mapping';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { fail, failWith, startScriptedUpstreams, type Responder, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';
import { TestClock } from '../../helpers/test-clock';

const CONTEXT_OPENAI = fail(400, "This model's maximum context length is 8192 tokens. However, your messages resulted in 9001 tokens.", 'context_length_exceeded');

describe('fallback between targets', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness | undefined;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['a', 'b', 'c', 'gemini', 'claude']);
  });
  afterAll(() => up.close());
  beforeEach(() => up.reset());
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  interface Target {
    name: string;
    contextWindow?: number;
  }

  async function start(targets: Array<string | Target>, extra: Record<string, unknown> = {}): Promise<OpenAI> {
    harness = await startGatewayHarness({
      config: {
        providers: {
          a: { type: 'openai', baseUrl: up.baseUrl('a'), apiKeySecret: 'upstream-a' },
          b: { type: 'openai', baseUrl: up.baseUrl('b') },
          c: { type: 'openai', baseUrl: up.baseUrl('c') },
          gemini: { type: 'gemini', baseUrl: up.upstreams.gemini?.url, apiKeySecret: 'gemini' },
          claude: { type: 'anthropic', baseUrl: up.upstreams.claude?.url, apiKeySecret: 'anthropic' },
        },
        models: {
          m: {
            targets: targets.map((target) => {
              const { name, contextWindow } = typeof target === 'string' ? { name: target, contextWindow: undefined } : target;
              return { provider: name, model: `${name}-model`, ...(contextWindow ? { contextWindow } : {}) };
            }),
          },
        },
        retry: { attempts: 1 },
        ...extra,
      },
      env: { SWITCHYARD_SECRET_UPSTREAM_A: 'sk-upstream-secret-aaaa', SWITCHYARD_SECRET_GEMINI: 'test-gemini-key', SWITCHYARD_SECRET_ANTHROPIC: 'test-anthropic-key' },
      clock: new TestClock(),
    });
    return harness.client();
  }

  const ask = (client: OpenAI, content = 'Hi') => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }] }).withResponse();
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (thrown: unknown) => thrown as InstanceType<typeof OpenAI.APIError>);

  it.each<[string, Responder]>([
    ['rate_limit (429)', fail(429, 'Rate limit reached', 'rate_limit_exceeded')],
    ['server_error (500)', fail(500)],
    ['server_error (503 overloaded)', fail(503, 'overloaded')],
    ['auth (upstream 401: our provider credentials)', fail(401, 'Incorrect API key provided', 'invalid_api_key')],
    ['not_found (upstream 404: configured model missing)', fail(404, 'The model `a-model` does not exist', 'model_not_found')],
    ['content_policy', fail(400, 'Your request was rejected as a result of our safety system.', 'content_policy_violation')],
    ['context_length', CONTEXT_OPENAI],
  ])('falls back on %s and serves from the next target', async (_name, responder) => {
    const client = await start(['a', 'b']);
    up.script('a', responder);

    const { data, response } = await ask(client);

    expect(up.calls).toEqual(['a', 'b']);
    expect(data.choices[0]?.message.content).toBe('hello from b');
    expect(response.headers.get('x-switchyard-provider')).toBe('b');
    expect(response.headers.get('x-switchyard-model')).toBe('b-model');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('does not fall back on a class missing from fallbackOn: the client gets that error', async () => {
    const client = await start(['a', 'b'], { fallbackOn: ['server_error'] });
    up.script('a', fail(429, 'Rate limit reached', 'rate_limit_exceeded'));

    const error = await failure(ask(client));

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(up.calls).toEqual(['a']);
  });

  it('never retries or falls back on a 400 invalid request', async () => {
    const client = await start(['a', 'b'], { retry: { attempts: 3 } });
    up.script('a', fail(400, "Invalid value for 'temperature': must be at most 2.", 'invalid_value'));

    const error = await failure(ask(client));

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error?.message).toContain("Invalid value for 'temperature'");
    expect(error?.headers?.get('x-switchyard-attempts')).toBe('1');
    expect(error?.headers?.get('x-switchyard-provider')).toBe('a');
    expect(up.calls).toEqual(['a']);
  });

  it('answers a bad virtual key with our own 401 without calling any upstream', async () => {
    await start(['a', 'b']);
    const stranger = harness?.client('sk-sy-00000000000000000000000000000000') as OpenAI;

    const error = await failure(ask(stranger));

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error?.headers?.get('x-switchyard-attempts')).toBeNull();
    expect(up.calls).toEqual([]);
  });

  it('routes embeddings through the same retries and fallback', async () => {
    const client = await start(['a', 'b']);
    up.script('a', fail(503, 'overloaded'));
    up.script('b', failWith(200, { object: 'list', model: 'b-model', data: [{ object: 'embedding', index: 0, embedding: [0.25, -0.5] }], usage: { prompt_tokens: 2, total_tokens: 2 } }));

    const { data, response } = await client.embeddings.create({ model: 'm', input: 'Hi', encoding_format: 'float' }).withResponse();

    expect(up.calls).toEqual(['a', 'b']);
    expect(data.data[0]?.embedding).toEqual([0.25, -0.5]);
    expect(response.headers.get('x-switchyard-provider')).toBe('b');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('falls back from a target whose provider has no embeddings API', async () => {
    const client = await start(['claude', 'b']);
    up.script('b', failWith(200, { object: 'list', model: 'b-model', data: [{ object: 'embedding', index: 0, embedding: [1, 0] }], usage: { prompt_tokens: 1, total_tokens: 1 } }));

    const { response } = await client.embeddings.create({ model: 'm', input: 'Hi', encoding_format: 'float' }).withResponse();

    expect(up.calls).toEqual(['b']);
    expect(response.headers.get('x-switchyard-provider')).toBe('b');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  describe('context-length failures', () => {
    it('skip targets whose context window is not larger than the one that failed', async () => {
      const client = await start([
        { name: 'a', contextWindow: 8192 },
        { name: 'b', contextWindow: 8192 },
        { name: 'c', contextWindow: 128_000 },
      ]);
      up.script('a', CONTEXT_OPENAI);

      const { response } = await ask(client);

      expect(up.calls).toEqual(['a', 'c']);
      expect(response.headers.get('x-switchyard-provider')).toBe('c');
      expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    });

    it('are judged only by targets that failed on context length, not by one skipped while cooling down', async () => {
      const targets = [
        { provider: 'a', model: 'a-model', contextWindow: 8192 },
        { provider: 'b', model: 'b-model', contextWindow: 16_384 },
        { provider: 'c', model: 'c-model', contextWindow: 16_384 },
      ];
      const client = await start([], {
        models: { m: { targets }, 'b-only': { targets: [targets[1]] } },
        cooldown: { failures: 1, windowMs: 60_000, cooldownMs: 60_000 },
      });
      // b's circuit opens on a failure through another alias.
      up.script('b', fail(500));
      await failure(client.chat.completions.create({ model: 'b-only', messages: [{ role: 'user', content: 'Hi' }] }));
      up.calls.length = 0;
      // a (8k) fails on context length, b (16k) is skipped while cooling down: c (16k) must still be
      // tried, since b said nothing about how long a prompt a 16k target takes.
      up.script('a', CONTEXT_OPENAI);

      const { response } = await ask(client, 'A long prompt');

      expect(up.calls).toEqual(['a', 'c']);
      expect(response.headers.get('x-switchyard-provider')).toBe('c');
    });

    it('answer 400 context_length_exceeded when no larger target is left', async () => {
      const client = await start([
        { name: 'a', contextWindow: 128_000 },
        { name: 'b', contextWindow: 8192 },
      ]);
      up.script('a', CONTEXT_OPENAI);

      const error = await failure(ask(client));

      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error?.code).toBe('context_length_exceeded');
      expect(up.calls).toEqual(['a']);
    });

    it('try the next target when the failed one has no known window', async () => {
      const client = await start(['a', { name: 'b', contextWindow: 8192 }]);
      up.script('a', CONTEXT_OPENAI);

      await ask(client);

      expect(up.calls).toEqual(['a', 'b']);
    });

    it('are recognised in a Gemini INVALID_ARGUMENT token-limit error from the gemini provider', async () => {
      const client = await start([{ name: 'gemini', contextWindow: 32_768 }, { name: 'b', contextWindow: 16_000 }, { name: 'c', contextWindow: 1_000_000 }]);
      up.script(
        'gemini',
        failWith(400, { error: { code: 400, message: 'The input token count (40211) exceeds the maximum number of tokens allowed (32768).', status: 'INVALID_ARGUMENT' } }),
      );

      const { response } = await ask(client);

      expect(up.calls).toEqual(['gemini', 'c']);
      expect(response.headers.get('x-switchyard-provider')).toBe('c');
    });

    it('are recognised in an Anthropic "prompt is too long" error from the anthropic provider', async () => {
      const client = await start([{ name: 'claude', contextWindow: 200_000 }, { name: 'b', contextWindow: 128_000 }, { name: 'c', contextWindow: 1_000_000 }]);
      up.script('claude', failWith(400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 208315 tokens > 200000 maximum' } }));

      const { response } = await ask(client);

      expect(up.calls).toEqual(['claude', 'c']);
      expect(response.headers.get('x-switchyard-provider')).toBe('c');
    });

    // Bedrock speaks through the AWS SDK (HTTP/2 by default); its body, like every provider's, is
    // also checked at the shared classification table every adapter goes through.
    it.each([
      ['Anthropic', 400, 'prompt is too long: 208315 tokens > 200000 maximum', 'invalid_request_error'],
      ['Bedrock ValidationException', 400, 'ValidationException: Input is too long for requested model.', undefined],
      ['Gemini', 400, 'The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).', 'INVALID_ARGUMENT'],
      ['OpenAI', 400, "This model's maximum context length is 128000 tokens.", 'context_length_exceeded'],
    ])('are classified as context_length for %s bodies', (_provider, status, message, providerCode) => {
      const error = classifyUpstreamError({ status, message, providerCode, providerName: 'p' });

      expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', errorClass: 'context_length', verdict: 'fallback' });
    });
  });

  describe('observability', () => {
    it('names the last target tried in the headers and usage event of a final failure', async () => {
      const client = await start(['a', 'b']);
      up.script('a', fail(500));
      up.script('b', fail(503, 'overloaded'));

      const error = await failure(ask(client));

      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error?.status).toBe(503);
      expect(error?.headers?.get('x-switchyard-provider')).toBe('b');
      expect(error?.headers?.get('x-switchyard-model')).toBe('b-model');
      expect(error?.headers?.get('x-switchyard-attempts')).toBe('2');
      const events = await harness?.usageEvents();
      const event = events?.find((candidate) => candidate.request_id === error?.headers?.get('x-request-id'));
      expect(event).toMatchObject({ status: 'error', http_status: 503, error_type: 'upstream_overloaded', attempts: 2, fallbacks: 1, provider: 'b', provider_model: 'b-model' });
    });

    it('records attempts and fallbacks of a request served after a fallback', async () => {
      const client = await start(['a', 'b'], { retry: { attempts: 2, backoffMs: 0 } });
      up.script('a', fail(502));

      const { response } = await ask(client);

      const events = await harness?.usageEvents();
      const event = events?.find((candidate) => candidate.request_id === response.headers.get('x-request-id'));
      expect(event).toMatchObject({ status: 'ok', http_status: 200, error_type: null, attempts: 3, fallbacks: 1, provider: 'b' });
    });

    it('logs one structured line per failed attempt, without prompt text or secrets', async () => {
      const prompt = 'my confidential prompt about project bluebird';
      const client = await start(['a', 'b'], { retry: { attempts: 2, backoffMs: 0 } });
      up.script('a', fail(500, `failed while reading: ${prompt}`), fail(429, `still failing: ${prompt}`, 'rate_limit_exceeded', { 'retry-after': '1' }));

      await ask(client, prompt);

      expect(up.upstreams.a?.requests[0]?.headers.authorization).toBe('Bearer sk-upstream-secret-aaaa');
      const lines = harness?.logs.filter((line) => line.message === 'upstream attempt failed') ?? [];
      expect(lines.map((line) => line.fields)).toEqual([
        expect.objectContaining({ target: 'a/a-model', provider: 'a', model: 'a-model', attempt: 1, status: 502, upstreamStatus: 500, errorType: 'upstream_server_error', errorClass: 'server_error', action: 'retry' }),
        expect.objectContaining({ target: 'a/a-model', attempt: 2, status: 429, upstreamStatus: 429, errorType: 'upstream_rate_limited', errorClass: 'rate_limit', retryAfterMs: 1000, action: 'fallback' }),
      ]);
      for (const line of lines) expect(line.level).toBe('warn');
      const everything = JSON.stringify(harness?.logs);
      expect(everything).not.toContain('bluebird');
      expect(everything).not.toContain('sk-upstream-secret');
      expect(everything).not.toContain(harness?.key);
    });
  });
});
