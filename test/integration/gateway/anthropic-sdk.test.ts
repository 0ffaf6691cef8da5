import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { SHARED_DIR } from '../../helpers/openai-schemas';
import { ok, rawSse, startScriptedUpstreams, type Responder, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';
import { sendJson, writeInPieces } from '../../helpers/fake-upstream';

/** An OpenAI-compatible upstream that answers with one call of `get_weather`, streamed or not. */
const weatherCall: Responder = (request, res) => {
  const model = (request.json as { model: string }).model;
  const args = '{"city":"Paris"}';
  if ((request.json as { stream?: boolean }).stream) {
    const chunk = (delta: unknown, finish: string | null = null) => ({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    const frames = [
      chunk({ role: 'assistant', content: 'Checking.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 6) } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(6) } }] }),
      chunk({}, 'tool_calls'),
      { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52, prompt_tokens_details: { cached_tokens: 30 } } },
    ];
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(frames.map((frame) => `data: ${JSON.stringify(frame)}\n\n`).join('') + 'data: [DONE]\n\n');
    return;
  }
  sendJson(res, 200, {
    id: 'chatcmpl-up',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: args } }] }, finish_reason: 'tool_calls' }],
    usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
  });
};

const weatherTool = { name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

describe('the Anthropic Messages API through the official Anthropic SDK', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;
  let client: Anthropic;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['openai', 'anthropic', 'gemini']);
    harness = await startGatewayHarness({
      config: {
        providers: {
          demo: { type: 'mock', text: 'Hello from the mock.' },
          openai: { type: 'openai', baseUrl: up.baseUrl('openai') },
          anthropic: { type: 'anthropic', baseUrl: up.upstreams.anthropic?.url, apiKeySecret: 'anthropic' },
          gemini: { type: 'gemini', baseUrl: up.upstreams.gemini?.url, apiKeySecret: 'gemini' },
        },
        models: {
          'claude-mock': { targets: [{ provider: 'demo', model: 'mock-1' }] },
          gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
          gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.0-flash' }] },
          claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
          'claude-haiku-*': { targets: [{ provider: 'demo', model: 'mock-haiku' }] },
          'claude-*': { targets: [{ provider: 'demo', model: 'mock-any-claude' }] },
        },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_ANTHROPIC: 'test-anthropic-key', SWITCHYARD_SECRET_GEMINI: 'test-gemini-key' },
    });
    client = new Anthropic({ baseURL: harness.baseURL.replace(/\/v1$/, ''), apiKey: harness.key, maxRetries: 0 });
  });
  afterAll(async () => {
    await harness.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  it('answers messages.create with an Anthropic message, authenticated by x-api-key', async () => {
    const message = await client.messages.create({ model: 'claude-mock', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });

    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'mock-1', content: [{ type: 'text', text: 'Hello from the mock.' }], stop_reason: 'end_turn', stop_sequence: null });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage).toMatchObject({ input_tokens: 1, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  it('streams with messages.stream in Anthropic’s event sequence, and accepts Authorization: Bearer too', async () => {
    const bearer = new Anthropic({ baseURL: harness.baseURL.replace(/\/v1$/, ''), authToken: harness.key, apiKey: null, maxRetries: 0 });
    const stream = bearer.messages.stream({ model: 'claude-mock', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const message = await stream.finalMessage();

    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello from the mock.' })]);
    expect(message.stop_reason).toBe('end_turn');
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types.filter((type) => type === 'content_block_start')).toHaveLength(1);
    expect(types.filter((type) => type === 'content_block_stop')).toHaveLength(1);
  });

  it('runs a tool-use round trip on an OpenAI target: tool_use block with parsed input out, tool_result back in', async () => {
    up.script('openai', weatherCall, ok('It is sunny in Paris.'));

    const first = await client.messages.stream({ model: 'gpt', max_tokens: 200, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] }).finalMessage();

    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([expect.objectContaining({ type: 'text', text: 'Checking.' }), expect.objectContaining({ type: 'tool_use', id: 'call_w1', name: 'get_weather', input: { city: 'Paris' } })]);
    expect(first.usage).toMatchObject({ input_tokens: 10, cache_read_input_tokens: 30, output_tokens: 12 });
    const sent = up.upstreams.openai?.requests[0]?.json as Record<string, unknown>;
    // A server other than api.openai.com gets the output limit as max_tokens.
    expect(sent).toMatchObject({ model: 'gpt-4o', max_tokens: 200, stream: true, tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } }] });

    const second = await client.messages.create({
      model: 'gpt',
      max_tokens: 200,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_w1', content: 'sunny, 21 °C' }] },
      ],
    });

    expect(second.content).toEqual([{ type: 'text', text: 'It is sunny in Paris.' }]);
    expect((up.upstreams.openai?.requests[1]?.json as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_w1', content: 'sunny, 21 °C' },
    ]);
  });

  it('translates a Gemini target’s recorded function call into a tool_use block, in pieces', async () => {
    const sse = readFileSync(join(SHARED_DIR, 'fixtures', 'gemini', 'function-call-short.sse'));
    up.script('gemini', async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, sse, 7);
    });
    const getTemperature = { name: 'getTemperature', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } };

    const message = await client.messages.stream({ model: 'gemini', max_tokens: 100, tools: [getTemperature], messages: [{ role: 'user', content: 'Temperature in San Jose?' }] }).finalMessage();

    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'getTemperature', input: { city: 'San Jose' } })]);
    const sent = up.upstreams.gemini?.requests[0];
    expect(sent?.url).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
    expect(sent?.json).toMatchObject({ contents: [{ role: 'user', parts: [{ text: 'Temperature in San Jose?' }] }], tools: [{ functionDeclarations: [{ name: 'getTemperature' }] }], generationConfig: { maxOutputTokens: 100 } });
  });

  it('keeps Claude’s thinking and its signature from an Anthropic target, in pieces', async () => {
    const sse = readFileSync(join(SHARED_DIR, 'fixtures', 'anthropic', 'thinking-signature.sse'));
    up.script('anthropic', async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, sse, 7);
    });

    const message = await client.messages.stream({ model: 'claude', max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'Think first.' }] }).finalMessage();

    const thinking = message.content.find((block) => block.type === 'thinking');
    expect(thinking).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/.{20,}/) });
    expect((thinking as { thinking: string }).thinking.length).toBeGreaterThan(0);
    expect(up.upstreams.anthropic?.requests[0]?.json).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 4000 });
  });

  it('routes the dated model ids Claude Code sends by the most specific model-name pattern, and lists no pattern', async () => {
    const haiku = await client.messages.create({ model: 'claude-haiku-4-5-20251001', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    const opus = await client.messages.create({ model: 'claude-opus-4-1-20250805', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    const exact = await client.messages.create({ model: 'claude-mock', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });

    expect([haiku.model, opus.model, exact.model]).toEqual(['mock-haiku', 'mock-any-claude', 'mock-1']);
    const events = await harness.usageEvents();
    expect(events.slice(-3).map((event) => event.model_requested)).toEqual(['claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805', 'claude-mock']);
    await expect(client.models.retrieve('claude-*')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(client.messages.create({ model: 'gpt-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('counts tokens (an estimate, said so) and lists the key’s models in Anthropic’s shape', async () => {
    const { data: count, response } = await client.messages.countTokens({ model: 'gpt', messages: [{ role: 'user', content: 'How many tokens is this?' }] }).withResponse();
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-token-count')).toBe('estimated');

    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => model.id).sort()).toEqual(['claude', 'claude-mock', 'gemini', 'gpt']);
    expect(models[0]).toMatchObject({ type: 'model', display_name: expect.any(String), created_at: expect.any(String) });
    await expect(client.models.retrieve('gpt')).resolves.toMatchObject({ type: 'model', id: 'gpt' });
  });

  it('answers errors in Anthropic’s envelope and statuses, which the SDK raises as its own classes', async () => {
    const stranger = new Anthropic({ baseURL: harness.baseURL.replace(/\/v1$/, ''), apiKey: 'sk-sy-not-a-key', maxRetries: 0 });
    const unauthorized = await stranger.messages.create({ model: 'gpt', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((unauthorized as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    const unknown = await client.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect((unknown as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });

    const invalid = await client.messages.create({ model: 'gpt', messages: [{ role: 'user', content: 'Hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError);
    expect((invalid as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
  });

  it('ends a stream that fails after it started with an error event the SDK raises', async () => {
    up.script('openai', rawSse('data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Par"},"finish_reason":null}]}\n\ndata: {"error":{"message":"The server had an error","type":"server_error","code":null}}\n\n'));

    const stream = client.messages.stream({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    const failure = await stream.finalMessage().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(String((failure as Error).message)).toMatch(/api_error|server had an error/);
  });

  it('answers HEAD / and GET / without a key, as Claude Code probes them', async () => {
    const head = await fetch(harness.baseURL.replace(/\/v1$/, '/'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    const get = await fetch(harness.baseURL.replace(/\/v1$/, '/'));
    expect(get.status).toBe(200);
  });
});
