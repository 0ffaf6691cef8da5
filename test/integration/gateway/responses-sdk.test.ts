import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { defaultProviders } from '../../../functions/providers/registry';
import { sendJson, writeInPieces, type FakeUpstream } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { assertOpenResponsesSchema, SHARED_DIR } from '../../helpers/openai-schemas';
import { testProvider } from '../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock } from '../../helpers/providers/bedrock/fake-bedrock';
import { ok, startScriptedUpstreams, type Responder, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';

// The OpenAI Responses API through the official OpenAI SDK (`responses.create`, `responses.stream`),
// translated to a chat-only OpenAI-compatible target and to Anthropic, against fake upstreams.

const FIXTURES = join(SHARED_DIR, 'fixtures', 'anthropic');

/** A chat-only upstream that answers with one streamed call of `get_weather`. */
const weatherCall: Responder = (request, res) => {
  const model = (request.json as { model: string }).model;
  const chunk = (delta: unknown, finish: string | null = null) => ({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  const frames = [
    chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    chunk({}, 'tool_calls'),
    { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52, prompt_tokens_details: { cached_tokens: 30 } } },
  ];
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(frames.map((frame) => `data: ${JSON.stringify(frame)}\n\n`).join('') + 'data: [DONE]\n\n');
};

const weatherTool = { type: 'function' as const, name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false };

/**
 * Every event of a stream, checked for the sequence the clients rely on and against the Open
 * Responses schemas, unless the request used custom tools (an OpenAI addition the specification
 * does not have).
 */
function checkSequence(events: ResponseStreamEvent[], { customTools = false } = {}): void {
  events.forEach((event, i) => expect(event.sequence_number).toBe(i));
  if (!customTools) for (const event of events) assertOpenResponsesSchema('StreamingEvent', event);
  expect(events[0]?.type).toBe('response.created');
  expect(events[1]?.type).toBe('response.in_progress');
  const terminal = events.filter((event) => ['response.completed', 'response.incomplete', 'response.failed'].includes(event.type));
  expect(terminal).toHaveLength(1);
  expect(events.at(-1)).toBe(terminal[0]);
  // Each item is added before its deltas and done after them; the done text equals the deltas.
  const deltas = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'response.output_text.delta') deltas.set(event.item_id, (deltas.get(event.item_id) ?? '') + event.delta);
    if (event.type === 'response.output_text.done') expect(event.text).toBe(deltas.get(event.item_id));
  }
}

describe('the OpenAI Responses API through the official OpenAI SDK', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;
  let client: OpenAI;
  let bedrock: FakeUpstream;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['openai', 'anthropic', 'gemini']);
    bedrock = await startFakeBedrock(() => ({ kind: 'stream', jsonl: readFileSync(join(SHARED_DIR, 'fixtures', 'bedrock', 'tool-call.jsonl'), 'utf8'), pieceSize: 7 }));
    harness = await startGatewayHarness({
      config: {
        providers: {
          openai: { type: 'openai', baseUrl: up.baseUrl('openai') },
          anthropic: { type: 'anthropic', baseUrl: up.upstreams.anthropic?.url, apiKeySecret: 'anthropic' },
          gemini: { type: 'gemini', baseUrl: up.upstreams.gemini?.url, apiKeySecret: 'gemini' },
          aws: { type: 'bedrock', region: 'us-east-1', baseUrl: bedrock.url },
          // Azure OpenAI through its chat API: OpenAI's own server, which knows prompt_cache_key.
          azure: { type: 'openai', baseUrl: up.upstreams.openai?.url, azure: { apiVersion: '2024-10-21' }, responsesApi: false },
        },
        models: {
          gpt: { targets: [{ provider: 'openai', model: 'llama-3.3-70b', price: { input: 1, output: 2 } }] },
          claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
          gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.0-flash' }] },
          nova: { targets: [{ provider: 'aws', model: 'us.amazon.nova-lite-v1:0' }] },
          llama: { targets: [{ provider: 'aws', model: 'us.meta.llama3-3-70b-instruct-v1:0' }] },
          'azure-gpt': { targets: [{ provider: 'azure', model: 'gpt-4.1' }] },
        },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_ANTHROPIC: 'test-anthropic-key', SWITCHYARD_SECRET_GEMINI: 'test-gemini-key' },
      providers: { ...defaultProviders, bedrock: testProvider() },
    });
    client = harness.client();
  });
  afterAll(async () => {
    await harness.close();
    await up.close();
    await bedrock.close();
  });
  beforeEach(() => up.reset());

  it('answers responses.create on a chat-only target: instructions and input as chat messages, the answer as a message item, usage', async () => {
    up.script('openai', ok('Hello from a chat-only server.'));

    const response = await client.responses.create({ model: 'gpt', instructions: 'Be brief.', input: 'Say hello.', max_output_tokens: 50 });

    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'llama-3.3-70b', store: true, error: null, incomplete_details: null });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe('Hello from a chat-only server.');
    expect(response.output).toEqual([expect.objectContaining({ type: 'message', role: 'assistant', status: 'completed', content: [expect.objectContaining({ type: 'output_text', text: 'Hello from a chat-only server.' })] })]);
    expect(response.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(up.upstreams.openai?.requests[0]?.json).toMatchObject({
      model: 'llama-3.3-70b',
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Say hello.' }] },
      ],
    });
    const events = await harness.usageEvents();
    expect(events.at(-1)).toMatchObject({ endpoint: '/v1/responses', status: 'ok', model_requested: 'gpt', provider_model: 'llama-3.3-70b' });
  });

  it('streams a function call and takes its output back: function_call items out, a tool message upstream', async () => {
    up.script('openai', weatherCall, ok('It is sunny in Paris.'));

    const stream = client.responses.stream({ model: 'gpt', input: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool] });
    const events: ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const first = await stream.finalResponse();

    checkSequence(events);
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', status: 'completed', call_id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(events.filter((event) => event.type === 'response.function_call_arguments.delta').map((event) => (event as { delta: string }).delta).join('')).toBe('{"city":"Paris"}');
    expect(first.usage).toMatchObject({ input_tokens: 40, output_tokens: 12, input_tokens_details: { cached_tokens: 30 } });

    const second = await client.responses.create({
      model: 'gpt',
      input: [{ role: 'user', content: 'Weather in Paris?' }, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: 'call_w1', output: '{"sky":"clear"}' }],
      tools: [weatherTool],
    });

    expect(second.output_text).toBe('It is sunny in Paris.');
    expect((up.upstreams.openai?.requests[1]?.json as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_w1', content: '{"sky":"clear"}' },
    ]);
  });

  it('streams Claude’s thinking as a reasoning item whose encrypted_content brings the signature back to Anthropic on the next turn', async () => {
    const sse = readFileSync(join(FIXTURES, 'thinking-signature.sse'), 'utf8');
    up.script('anthropic', async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, sse, 7);
    });

    const stream = client.responses.stream({ model: 'claude', input: 'What is 27 * 453?', reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] });
    const events: ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const first = await stream.finalResponse();

    checkSequence(events);
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning?.summary[0]?.text).toContain('The previous');
    expect(reasoning?.encrypted_content).toMatch(/^sy1\./);
    expect(events.some((event) => event.type === 'response.reasoning_summary_text.delta')).toBe(true);

    up.script('anthropic', (_request, res) => sendJson(res, 200, JSON.parse(readFileSync(join(FIXTURES, 'nonstream', 'text.json'), 'utf8'))));
    await client.responses.create({ model: 'claude', reasoning: { effort: 'low' }, input: [{ role: 'user', content: 'What is 27 * 453?' }, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { role: 'user', content: 'And doubled?' }] });

    const sent = up.upstreams.anthropic?.requests[1]?.json as { messages: Array<{ role: string; content: Array<{ type: string; signature?: string }> }> };
    const thinking = sent.messages[1]?.content.find((block) => block.type === 'thinking');
    const recordedSignature = /"type":"signature_delta","signature":"([^"]+)"/.exec(sse)?.[1];
    expect(recordedSignature).toBeDefined();
    expect(thinking?.signature).toBe(recordedSignature);
  });

  it('gives Claude Codex’s free-form apply_patch as a function of one string and hands the call back as a custom_tool_call with the raw patch', async () => {
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+Hello, world!\n*** End Patch';
    const args = JSON.stringify({ input: patch });
    const event = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const toolUse = [
      event('message_start', { message: { id: 'msg_p', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 50, output_tokens: 1 } } }),
      event('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_p1', name: 'apply_patch', input: {} } }),
      event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: args.slice(0, 15) } }),
      event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: args.slice(15) } }),
      event('content_block_stop', { index: 0 }),
      event('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } }),
      event('message_stop', {}),
    ].join('');
    up.script('anthropic', (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(toolUse);
    });
    const applyPatch = { type: 'custom' as const, name: 'apply_patch', description: 'Edit files with a patch.', format: { type: 'grammar' as const, syntax: 'lark' as const, definition: 'start: "*** Begin Patch" ...' } };

    const stream = client.responses.stream({ model: 'claude', input: 'Create hello.txt.', tools: [applyPatch] });
    const events: ResponseStreamEvent[] = [];
    stream.on('event', (e) => events.push(e));
    const first = await stream.finalResponse();

    checkSequence(events, { customTools: true });
    expect(first.output).toEqual([expect.objectContaining({ type: 'custom_tool_call', call_id: 'toolu_p1', name: 'apply_patch', input: patch, status: 'completed' })]);
    expect(events.filter((e) => e.type === 'response.custom_tool_call_input.delta').map((e) => (e as { delta: string }).delta).join('')).toBe(patch);
    const sentTools = (up.upstreams.anthropic?.requests[0]?.json as { tools: Array<{ name: string; input_schema: unknown }> }).tools;
    expect(sentTools).toEqual([expect.objectContaining({ name: 'apply_patch', input_schema: expect.objectContaining({ properties: { input: expect.objectContaining({ type: 'string' }) }, required: ['input'] }) })]);

    up.script('anthropic', (_request, res) => sendJson(res, 200, JSON.parse(readFileSync(join(FIXTURES, 'nonstream', 'text.json'), 'utf8'))));
    await client.responses.create({ model: 'claude', tools: [applyPatch], input: [{ role: 'user', content: 'Create hello.txt.' }, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'custom_tool_call_output', call_id: 'toolu_p1', output: 'Success.' }] });

    const history = (up.upstreams.anthropic?.requests[1]?.json as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> }).messages;
    expect(history[1]?.content).toEqual([{ type: 'tool_use', id: 'toolu_p1', name: 'apply_patch', input: { input: patch } }]);
    expect(history[2]?.content).toEqual([expect.objectContaining({ type: 'tool_result', tool_use_id: 'toolu_p1' })]);
  });

  it.each([
    ['a Gemini target’s recorded function call', 'gemini', 'getTemperature', { city: 'San Jose' }],
    ['a Bedrock Converse target’s recorded tool use', 'nova', 'test-tool', { value: 'Sparkle Day' }],
  ])('streams %s as a function_call item', async (_label, model, name, args) => {
    up.script('gemini', async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, readFileSync(join(SHARED_DIR, 'fixtures', 'gemini', 'function-call-short.sse')), 7);
    });
    const tool = { type: 'function' as const, name, parameters: { type: 'object', properties: {} }, strict: false };

    const stream = client.responses.stream({ model, input: 'Use the tool.', tools: [tool] });
    const events: ResponseStreamEvent[] = [];
    stream.on('event', (e) => events.push(e));
    const final = await stream.finalResponse();

    checkSequence(events);
    const call = final.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name, status: 'completed' });
    expect(JSON.parse((call as { arguments: string }).arguments)).toEqual(args);
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('turns prompt_cache_key into cache breakpoints where the target needs them (Claude, Nova on Bedrock), passes it to OpenAI’s chat API, and leaves it out elsewhere', async () => {
    up.script('anthropic', (_request, res) => sendJson(res, 200, JSON.parse(readFileSync(join(FIXTURES, 'nonstream', 'text.json'), 'utf8'))));
    const conversation = { instructions: 'You are a coding agent.', input: [
        { role: 'user' as const, content: 'Fix the bug.' },
        { type: 'function_call' as const, call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output' as const, call_id: 'call_1', output: 'tests pass' },
      ], tools: [weatherTool], prompt_cache_key: 'conversation-42' };
    const bedrockBodies = bedrock.requests.length;

    await client.responses.create({ model: 'claude', ...conversation });
    await client.responses.create({ model: 'claude', ...conversation, prompt_cache_key: undefined });
    // The fake Bedrock answers with a recorded stream.
    await client.responses.stream({ model: 'nova', ...conversation }).finalResponse();
    await client.responses.stream({ model: 'llama', ...conversation }).finalResponse();
    await client.responses.create({ model: 'gpt', ...conversation });

    const [keyed, unkeyed] = (up.upstreams.anthropic?.requests ?? []).map((request) => request.json as { system: Array<Record<string, unknown>>; messages: Array<{ content: Array<Record<string, unknown>> }>; tools: Array<Record<string, unknown>> });
    expect(keyed?.system.at(-1)).toMatchObject({ type: 'text', text: 'You are a coding agent.', cache_control: { type: 'ephemeral' } });
    expect(keyed?.messages.at(-1)?.content.at(-1)).toMatchObject({ type: 'tool_result', tool_use_id: 'call_1', cache_control: { type: 'ephemeral' } });
    expect(JSON.stringify(unkeyed)).not.toContain('cache_control');
    const [nova, llama] = bedrock.requests.slice(bedrockBodies).map((request) => request.json as { system: unknown[]; messages: Array<{ content: unknown[] }> });
    expect(nova?.system).toEqual([{ text: 'You are a coding agent.' }, { cachePoint: { type: 'default' } }]);
    expect(nova?.messages.at(-1)?.content.at(-1)).toEqual({ cachePoint: { type: 'default' } });
    expect(JSON.stringify(llama)).not.toContain('cachePoint');
    const chat = up.upstreams.openai?.requests.at(-1)?.json as Record<string, unknown>;
    expect(chat).not.toHaveProperty('prompt_cache_key');

    await client.responses.create({ model: 'azure-gpt', ...conversation });
    expect(up.upstreams.openai?.requests.at(-1)).toMatchObject({ url: expect.stringContaining('/openai/deployments/gpt-4.1/chat/completions'), json: expect.objectContaining({ prompt_cache_key: 'conversation-42' }) });
  });

  it('refuses hosted tools a target cannot run (Codex offers web search) with a 400 naming them (a provider with dropUnsupportedParams leaves them out: see the Codex e2e test)', async () => {
    const refused = await client.responses.create({ model: 'claude', input: 'Search.', tools: [{ type: 'web_search' }, weatherTool] }).catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('server_tools');
    expect(up.calls).toEqual([]);
  });

  it('keeps responses per key: retrieve, input_items, previous_response_id rebuilt for a chat-only target, delete; another key sees a 404', async () => {
    up.script('openai', ok('Paris is the capital.'), ok('About 2.1 million people.'));

    const first = await client.responses.create({ model: 'gpt', instructions: 'Be brief.', input: 'Capital of France?' });
    expect(first).toMatchObject({ store: true });
    expect(await client.responses.retrieve(first.id)).toEqual({ ...first });

    const stream = client.responses.stream({ model: 'gpt', previous_response_id: first.id, input: 'Its population?' });
    const second = await stream.finalResponse();

    expect(second).toMatchObject({ previous_response_id: first.id, store: true });
    expect(second.output_text).toBe('About 2.1 million people.');
    // The target got the whole conversation; instructions do not carry over.
    expect((up.upstreams.openai?.requests[1]?.json as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
      { role: 'assistant', content: 'Paris is the capital.' },
      { role: 'user', content: [{ type: 'text', text: 'Its population?' }] },
    ]);
    const items = [];
    for await (const item of client.responses.inputItems.list(second.id)) items.push(item);
    expect(items.map((item) => item.type)).toEqual(['message', 'message', 'message']);
    expect((await client.responses.retrieve(second.id)).output_text).toBe('About 2.1 million people.');

    const stranger = harness.client((await harness.createKey({ name: 'stranger' })).key);
    await expect(stranger.responses.retrieve(second.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(stranger.responses.create({ model: 'gpt', previous_response_id: second.id, input: 'And?' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(stranger.responses.delete(second.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    await client.responses.delete(second.id);
    await expect(client.responses.retrieve(second.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const unstored = await client.responses.create({ model: 'gpt', input: 'Hi', store: false });
    expect(unstored).toMatchObject({ store: false });
    await expect(client.responses.retrieve(unstored.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('counts input tokens exactly with Anthropic’s count_tokens of the translated request, calling no model', async () => {
    up.script('anthropic', (_request, res) => sendJson(res, 200, { input_tokens: 321 }));

    const { data, response } = await client.responses.inputTokens.count({ model: 'claude', instructions: 'Be brief.', input: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool] }).withResponse();

    expect(data).toEqual({ object: 'response.input_tokens', input_tokens: 321 });
    expect(response.headers.get('x-switchyard-token-count')).toBe('exact');
    const sent = up.upstreams.anthropic?.requests[0];
    expect(sent?.url).toBe('/v1/messages/count_tokens');
    expect(sent?.json).toEqual({
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
      tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: weatherTool.parameters }],
    });
    expect((await harness.usageEvents()).at(-1)).toMatchObject({ endpoint: '/v1/responses/input_tokens', cost_usd: 0 });
  });

  it('estimates input tokens where the target cannot count (said so in a header) and refuses server-side compaction with a 400 that says so, calling no model', async () => {
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${harness.baseURL}/responses/${path}`, { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const counted = await post('input_tokens', { model: 'gpt', input: 'How many tokens is this sentence?' });
    const compacted = await post('compact', { model: 'gpt', input: 'Hi' });

    expect(counted.status).toBe(200);
    expect(counted.headers.get('x-switchyard-token-count')).toBe('estimated');
    expect(await counted.json()).toEqual({ object: 'response.input_tokens', input_tokens: expect.any(Number) });
    expect(compacted.status).toBe(400);
    expect(await compacted.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'unsupported_endpoint', message: expect.stringContaining('compaction') } });
    expect(up.calls).toEqual([]);
  });

  it('answers an unknown previous_response_id with a 404 that names it, and a body without a model in the OpenAI envelope', async () => {
    const continued = await client.responses.create({ model: 'gpt', input: 'Go on.', previous_response_id: 'resp_123' }).catch((e: unknown) => e);
    expect(continued).toBeInstanceOf(OpenAI.NotFoundError);
    expect((continued as InstanceType<typeof OpenAI.NotFoundError>).param).toBe('previous_response_id');

    const response = await fetch(`${harness.baseURL}/responses`, { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ input: 'Hi' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' } });
    expect(up.calls).toEqual([]);
  });
});
