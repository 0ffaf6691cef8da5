import OpenAI from 'openai';
import { assertOpenAiSchema } from '../../helpers/openai-schemas';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';

const config = {
  providers: {
    demo: { type: 'mock', text: 'The quick brown fox jumps over the lazy dog.', chunks: 5 },
    tools: { type: 'mock', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_time', arguments: '{}' }] },
  },
  models: {
    demo: { targets: [{ provider: 'demo', model: 'mock-1' }] },
    'tool-model': { targets: [{ provider: 'tools', model: 'mock-tools' }] },
    embed: { targets: [{ provider: 'demo', model: 'mock-embed' }] },
  },
};

const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
];

describe('the gateway driven by the official OpenAI SDK', () => {
  let harness: GatewayHarness;
  let client: OpenAI;

  beforeAll(async () => {
    harness = await startGatewayHarness({ config });
    client = harness.client();
  });
  afterAll(() => harness.close());

  it('answers a non-streaming completion with a schema-valid body and routing headers', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();

    assertOpenAiSchema('CreateChatCompletionResponse', data);
    expect(data.choices[0]?.message.content).toBe('The quick brown fox jumps over the lazy dog.');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));
    expect(response.headers.get('x-switchyard-provider')).toBe('demo');
    expect(response.headers.get('x-switchyard-model')).toBe('mock-1');
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    expect(response.headers.get('x-switchyard-overhead-ms')).toMatch(/^\d+\.\d{2}$/);
    expect(response.headers.get('x-switchyard-cost-usd')).toMatch(/^\d+\.\d{6}$/);
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('streams with include_usage: role first, content in order, usage chunk last with choices []', async () => {
    const stream = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
      chunks.push(chunk);
    }

    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.slice(1).every((chunk) => chunk.choices.every((choice) => choice.delta.role === undefined))).toBe(true);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('The quick brown fox jumps over the lazy dog.');
    const last = chunks[chunks.length - 1];
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
  });

  it('streams without include_usage: no usage chunk reaches the client, but usage is recorded', async () => {
    const stream = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'count me' }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
      chunks.push(chunk);
    }
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);

    const events = await harness.usageEvents();
    const event = events.find((candidate) => candidate.stream && candidate.output_tokens > 0 && candidate.input_tokens === 2);
    expect(event).toMatchObject({ status: 'ok', http_status: 200, usage_estimated: false, provider: 'demo', key_id: harness.keyId });
  });

  it('returns tool calls, non-streaming and streaming, that the SDK stream helper assembles', async () => {
    const completion = await client.chat.completions.create({ model: 'tool-model', messages: [{ role: 'user', content: 'Weather?' }], tools });
    assertOpenAiSchema('CreateChatCompletionResponse', completion);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && call.function.name)).toEqual(['get_weather', 'get_time']);

    const runner = client.chat.completions.stream({ model: 'tool-model', messages: [{ role: 'user', content: 'Weather?' }], tools });
    runner.on('chunk', (chunk) => assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk));
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((call) => (call.type === 'function' ? [call.function.name, call.function.arguments] : []))).toEqual([
      ['get_weather', '{"city":"Paris"}'],
      ['get_time', '{}'],
    ]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('accepts images, response_format, n, max_tokens and max_completion_tokens', async () => {
    const completion = await client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
      n: 1,
      max_tokens: 50,
      max_completion_tokens: 50,
    });
    assertOpenAiSchema('CreateChatCompletionResponse', completion);
  });

  it('embeds with the SDK default (base64) and with float encoding, with equal vectors', async () => {
    const base64 = await client.embeddings.create({ model: 'embed', input: ['hello', 'world'] });
    const floats = await client.embeddings.create({ model: 'embed', input: ['hello', 'world'], encoding_format: 'float' });
    assertOpenAiSchema('CreateEmbeddingResponse', floats);

    expect(base64.data).toHaveLength(2);
    expect(base64.data[0]?.embedding.length).toBe(8);
    // The SDK decoded little-endian float32 from base64; the float response must agree exactly.
    expect(base64.data[0]?.embedding).toEqual(floats.data[0]?.embedding);
    expect(base64.data[0]?.embedding).not.toEqual(base64.data[1]?.embedding);
  });

  it('lists the model aliases, and only those a restricted key may use', async () => {
    const all = await client.models.list();
    expect(all.data.map((model) => model.id).sort()).toEqual(['demo', 'embed', 'tool-model']);

    const restricted = await harness.createKey({ name: 'restricted', models: ['demo'] });
    const page = await harness.client(restricted.key).models.list();
    expect(page.data.map((model) => model.id)).toEqual(['demo']);
    const raw = await fetch(`${harness.baseURL}/models`, { headers: { authorization: `Bearer ${restricted.key}` } });
    assertOpenAiSchema('ListModelsResponse', await raw.json());
  });

  it('retrieves one model alias (models.retrieve), 404 NotFoundError for an unknown one or one the key may not use', async () => {
    const model = await client.models.retrieve('tool-model');
    expect(model).toMatchObject({ id: 'tool-model', object: 'model', owned_by: 'switchyard' });
    const raw = await fetch(`${harness.baseURL}/models/demo`, { headers: { authorization: `Bearer ${harness.key}` } });
    assertOpenAiSchema('Model', await raw.json());

    await expect(client.models.retrieve('no-such-model')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    const restricted = await harness.createKey({ name: 'retrieve-restricted', models: ['demo'] });
    await expect(harness.client(restricted.key).models.retrieve('demo')).resolves.toMatchObject({ id: 'demo' });
    const hidden = harness.client(restricted.key).models.retrieve('tool-model');
    await expect(hidden).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    // Other methods on the path are refused as on every route.
    const deleted = await fetch(`${harness.baseURL}/models/demo`, { method: 'DELETE', headers: { authorization: `Bearer ${harness.key}` } });
    expect(deleted.status).toBe(405);
  });

  it.each(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const)('accepts every documented reasoning_effort (%s)', async (effort) => {
    const completion = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hi' }], reasoning_effort: effort });
    expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
  });

  it('rejects an unknown key with 401 AuthenticationError', async () => {
    const badClient = harness.client('sk-sy-not-a-real-key-000000000000000000000000');
    const failure = badClient.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(failure).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('rejects a request without a key with 401 and the OpenAI envelope', async () => {
    const response = await fetch(`${harness.baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'demo', messages: [] }) });
    expect(response.status).toBe(401);
    const body = await response.json();
    assertOpenAiSchema('ErrorResponse', body);
    expect(body.error.code).toBe('missing_api_key');
  });

  it('maps a bad request to 400 BadRequestError naming the parameter', async () => {
    const failure = client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hi' }], temperature: 7 });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(failure).rejects.toMatchObject({ status: 400, param: 'temperature' });
  });

  it('maps an unknown model to 404 NotFoundError with code model_not_found', async () => {
    const failure = client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(failure).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });

  it('maps a model the key may not use to 403 PermissionDeniedError', async () => {
    const restricted = await harness.createKey({ name: 'demo-only', models: ['demo'] });
    const failure = harness.client(restricted.key).chat.completions.create({ model: 'tool-model', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
  });
});
