import type OpenAI from 'openai';
import { sendJson, writeInPieces } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { startScriptedUpstreams, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';

// A Responses client to a target that speaks the Responses API: the body goes upstream with the
// gateway's rewrites only, and the stream comes back byte for byte (DESIGN §1).

const response = (status: string, output: unknown[], usage: unknown) => ({ id: 'resp_up1', object: 'response', created_at: 1_700_000_000, status, model: 'gpt-5-mini', output, usage, error: null, incomplete_details: null });
const message = { id: 'msg_up1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello there.', annotations: [], logprobs: [] }] };
const usage = { input_tokens: 20, input_tokens_details: { cached_tokens: 8 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 26 };
const events: Array<[string, Record<string, unknown>]> = [
  ['response.created', { response: response('in_progress', [], null) }],
  ['response.in_progress', { response: response('in_progress', [], null) }],
  ['response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }],
  ['response.content_part.added', { item_id: 'msg_up1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }],
  ['response.output_text.delta', { item_id: 'msg_up1', output_index: 0, content_index: 0, delta: 'Hello', logprobs: [] }],
  ['response.output_text.delta', { item_id: 'msg_up1', output_index: 0, content_index: 0, delta: ' there.', logprobs: [] }],
  ['response.output_text.done', { item_id: 'msg_up1', output_index: 0, content_index: 0, text: 'Hello there.', logprobs: [] }],
  ['response.content_part.done', { item_id: 'msg_up1', output_index: 0, content_index: 0, part: message.content[0] }],
  ['response.output_item.done', { output_index: 0, item: message }],
  ['response.completed', { response: response('completed', [message], usage) }],
];
const sse = (list: Array<[string, Record<string, unknown>]>): string => list.map(([type, data], i) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: i, ...data })}\n\n`).join('');
const STREAM = sse(events);

describe('native pass-through from a Responses client to a Responses target', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;
  let client: OpenAI;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['openai']);
    harness = await startGatewayHarness({
      config: {
        providers: { openai: { type: 'openai', baseUrl: up.baseUrl('openai'), apiKeySecret: 'openai', responsesApi: true } },
        models: { gpt: { targets: [{ provider: 'openai', model: 'gpt-5-mini', maxOutputTokens: 4000, price: { input: 1, output: 2 } }] } },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_OPENAI: 'sk-upstream' },
    });
    client = harness.client();
  });
  afterAll(async () => {
    await harness.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  const replay = (text: string, pieceSize: number): void =>
    up.script('openai', async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, text, pieceSize);
    });

  it.each([['whole', Number.MAX_SAFE_INTEGER], ['in 1-byte pieces', 1], ['in 7-byte pieces', 7]])('relays the stream byte for byte, sent %s', async (_label, pieceSize) => {
    replay(STREAM, pieceSize);

    const reply = await fetch(`${harness.baseURL}/responses`, { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt', input: 'Hi', stream: true }) });

    expect(reply.status).toBe(200);
    expect(await reply.text()).toBe(STREAM);
  });

  it('sends the client’s body with the provider model and the output limit, to /responses with the provider key; records the usage of response.completed', async () => {
    replay(STREAM, Number.MAX_SAFE_INTEGER);
    const body = { model: 'gpt', input: [{ role: 'user' as const, content: 'Hi' }], instructions: 'Be brief.', reasoning: { effort: 'low' as const, summary: 'auto' as const }, include: ['reasoning.encrypted_content' as const], store: false, max_output_tokens: 100_000, prompt_cache_key: 'session-1' };

    const final = await client.responses.stream(body).finalResponse();

    expect(final.output_text).toBe('Hello there.');
    const sent = up.upstreams.openai?.requests[0];
    expect(sent?.url).toBe('/v1/responses');
    expect(sent?.headers.authorization).toBe('Bearer sk-upstream');
    expect(sent?.json).toEqual({ ...body, model: 'gpt-5-mini', max_output_tokens: 4000, stream: true });
    const event = (await harness.usageEvents()).at(-1);
    expect(event).toMatchObject({ endpoint: '/v1/responses', status: 'ok', input_tokens: 20, cached_input_tokens: 8, output_tokens: 6, reasoning_tokens: 2, usage_estimated: false });
  });

  it('passes a non-streamed response through unchanged', async () => {
    const whole = response('completed', [message], usage);
    up.script('openai', (_request, res) => sendJson(res, 200, whole));

    const got = await client.responses.create({ model: 'gpt', input: 'Hi' });

    expect({ ...got, output_text: undefined }).toEqual({ ...whole, output_text: undefined });
  });

  it('counts input tokens with the server’s own input_tokens, for the conversation a stored previous_response_id continues; an estimate when the server fails', async () => {
    up.script('openai', (_request, res) => sendJson(res, 200, response('completed', [message], usage)), (_request, res) => sendJson(res, 200, { object: 'response.input_tokens', input_tokens: 1234 }));
    const first = await client.responses.create({ model: 'gpt', input: 'Hi', store: true });

    const { data, response: reply } = await client.responses.inputTokens.count({ model: 'gpt', previous_response_id: first.id, input: 'And then?', instructions: 'Be brief.', tools: [{ type: 'function', name: 'f', parameters: {}, strict: false }] }).withResponse();

    expect(data).toEqual({ object: 'response.input_tokens', input_tokens: 1234 });
    expect(reply.headers.get('x-switchyard-token-count')).toBe('exact');
    const sent = up.upstreams.openai?.requests[1];
    expect(sent?.url).toBe('/v1/responses/input_tokens');
    expect(sent?.headers.authorization).toBe('Bearer sk-upstream');
    // The stored turn comes first, then the new input; nothing the count endpoint does not take.
    expect(sent?.json).toEqual({
      model: 'gpt-5-mini',
      input: [{ role: 'user', content: 'Hi' }, message, { role: 'user', content: 'And then?' }],
      instructions: 'Be brief.',
      tools: [{ type: 'function', name: 'f', parameters: {}, strict: false }],
    });

    up.script('openai', (_request, res) => sendJson(res, 500, { error: { message: 'boom', type: 'server_error' } }));
    const { data: estimated, response: fallback } = await client.responses.inputTokens.count({ model: 'gpt', input: 'Hi there' }).withResponse();
    expect(estimated.input_tokens).toBeGreaterThan(0);
    expect(fallback.headers.get('x-switchyard-token-count')).toBe('estimated');
  });

  it('ends a stream cut after it started with response.failed, numbered after the last event', async () => {
    const cut = sse(events.slice(0, 5));
    replay(cut, 11);

    const reply = await fetch(`${harness.baseURL}/responses`, { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt', input: 'Hi', stream: true }) });
    const text = await reply.text();

    expect(text.startsWith(cut)).toBe(true);
    const last = JSON.parse(/data: (.*)\n\n$/.exec(text)?.[1] ?? 'null') as { type: string; sequence_number: number; response: { id: string; status: string; error: { code: string } } };
    expect(last).toMatchObject({ type: 'response.failed', sequence_number: 5, response: { id: 'resp_up1', status: 'failed', error: { code: 'server_error' } } });
  });
});
