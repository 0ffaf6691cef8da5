import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SseDecoder } from '../../../functions/core/streaming/sse-decoder';
import { defaultProviders } from '../../../functions/providers/registry';
import { sendJson, startFakeUpstream, writeInPieces, type FakeUpstream } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { assertOpenAiSchema, assertOpenResponsesSchema, SHARED_DIR } from '../../helpers/openai-schemas';
import { testProvider } from '../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock } from '../../helpers/providers/bedrock/fake-bedrock';

// Every recorded stream and answer of every provider, translated to the Responses API, checked
// against the Open Responses specification's schemas (test/conformance/open-responses): each
// streamed event, the response in the terminal event, the non-streamed response and the stored one.

const FIXTURES = join(SHARED_DIR, 'fixtures');

/** The alias that reaches each provider's fake upstream. */
const ALIAS = { anthropic: 'claude', gemini: 'gemini', bedrock: 'nova', openai: 'chat-only' } as const;
type Provider = keyof typeof ALIAS;

const fixtures = (provider: Provider, dir: string, extension: string): string[] =>
  readdirSync(join(FIXTURES, provider, dir)).filter((name) => name.endsWith(extension)).sort();

const streamed: Array<[Provider, string]> = [
  ...fixtures('anthropic', '', '.sse').map((file): [Provider, string] => ['anthropic', file]),
  ...fixtures('gemini', '', '.sse').map((file): [Provider, string] => ['gemini', file]),
  ...fixtures('bedrock', '', '.jsonl').map((file): [Provider, string] => ['bedrock', file]),
  ...fixtures('openai', '', '.sse').map((file): [Provider, string] => ['openai', file]),
];
const answered: Array<[Provider, string]> = [
  ...fixtures('anthropic', 'nonstream', '.json').map((file): [Provider, string] => ['anthropic', file]),
  ...fixtures('gemini', 'nonstream', '.json').map((file): [Provider, string] => ['gemini', file]),
  ...fixtures('bedrock', 'nonstream', '.json').map((file): [Provider, string] => ['bedrock', file]),
];

/** The events of an SSE body, in order (decoded by the gateway's own SSE decoder), with the `event:` name each carried. */
async function parseEvents(body: ReadableStream<Uint8Array>): Promise<Array<{ name: string; data: Record<string, unknown> }>> {
  const events: Array<{ name: string; data: Record<string, unknown> }> = [];
  const decoder = new SseDecoder();
  const decoded = [...decoder.push(new Uint8Array(await new Response(body).arrayBuffer())), ...decoder.end()];
  for (const event of decoded) events.push({ name: event.event ?? '', data: JSON.parse(event.data) as Record<string, unknown> });
  return events;
}

/** A tool the request offers, so that recorded tool calls have a declared function to call. */
const tool = { type: 'function', name: 'lookup', description: 'Look something up.', parameters: { type: 'object', properties: {} }, strict: false };

describe('Responses API output on every recorded provider stream, against the Open Responses schemas', () => {
  let harness: GatewayHarness;
  let sse: FakeUpstream;
  let bedrock: FakeUpstream;
  let reply: { body: string; status: number; json: boolean } = { body: '', status: 200, json: false };

  beforeAll(async () => {
    sse = await startFakeUpstream(async (_request, res) => {
      if (reply.json) return sendJson(res, reply.status, JSON.parse(reply.body));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, reply.body, 7);
    });
    bedrock = await startFakeBedrock(() => (reply.json ? { kind: 'json', body: JSON.parse(reply.body), status: reply.status } : { kind: 'stream', jsonl: reply.body, pieceSize: 7 }));
    harness = await startGatewayHarness({
      config: {
        providers: {
          openai: { type: 'openai', baseUrl: `${sse.url}/v1` },
          anthropic: { type: 'anthropic', baseUrl: sse.url, apiKeySecret: 'anthropic' },
          gemini: { type: 'gemini', baseUrl: sse.url, apiKeySecret: 'gemini' },
          aws: { type: 'bedrock', region: 'us-east-1', baseUrl: bedrock.url },
        },
        models: {
          [ALIAS.openai]: { targets: [{ provider: 'openai', model: 'llama-3.3-70b' }] },
          [ALIAS.anthropic]: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
          [ALIAS.gemini]: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
          [ALIAS.bedrock]: { targets: [{ provider: 'aws', model: 'us.amazon.nova-lite-v1:0' }] },
          // Its own target, so the cooldown a recorded 429 with a long retry delay starts spares the others.
          'gemini-errors': { targets: [{ provider: 'gemini', model: 'gemini-2.0-flash' }] },
        },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_ANTHROPIC: 'test-anthropic-key', SWITCHYARD_SECRET_GEMINI: 'test-gemini-key' },
      providers: { ...defaultProviders, bedrock: testProvider() },
    });
  });
  afterAll(async () => {
    await harness.close();
    await sse.close();
    await bedrock.close();
  });

  const post = (body: Record<string, unknown>): Promise<Response> =>
    fetch(`${harness.baseURL}/responses`, { method: 'POST', headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('covers the recorded streams of all four provider types', () => {
    expect(new Set(streamed.map(([provider]) => provider))).toEqual(new Set(['anthropic', 'gemini', 'bedrock', 'openai']));
    expect(streamed.length).toBeGreaterThanOrEqual(55);
  });

  it.each(streamed)('%s %s: every streamed event and the stored response match the specification', async (provider, file) => {
    reply = { body: readFileSync(join(FIXTURES, provider, file), 'utf8'), status: 200, json: false };

    const response = await post({ model: ALIAS[provider], input: 'Go.', tools: [tool], stream: true, include: ['reasoning.encrypted_content'] });

    if (file.includes('first-event')) {
      // A failure before the first byte is an HTTP error in the OpenAI envelope, not a stream.
      expect(response.status).toBeGreaterThanOrEqual(400);
      return assertOpenAiSchema('ErrorResponse', await response.json());
    }
    expect(response.status).toBe(200);
    const events = await parseEvents(response.body as ReadableStream<Uint8Array>);
    for (const [index, { name, data }] of events.entries()) {
      assertOpenResponsesSchema('StreamingEvent', data);
      expect(name).toBe(data.type);
      expect(data.sequence_number).toBe(index);
    }
    const terminal = events.filter(({ name }) => ['response.completed', 'response.incomplete', 'response.failed'].includes(name));
    expect(terminal).toHaveLength(1);
    expect(events.at(-1)).toBe(terminal[0]);
    const final = terminal[0]?.data.response as { id: string; status: string; usage: unknown; error: unknown };
    if (final.status === 'failed') {
      // Not stored: a failed response has nothing to continue from.
      return expect(final.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    }
    expect(final.usage).not.toBeNull();

    await harness.server.idle();
    const stored = await fetch(`${harness.baseURL}/responses/${final.id}`, { headers: { authorization: `Bearer ${harness.key}` } });
    expect(stored.status).toBe(200);
    const storedBody = await stored.json();
    assertOpenResponsesSchema('ResponseResource', storedBody);
    expect(storedBody).toEqual(final);
  });

  it.each(answered)('%s nonstream/%s: the response (or the error envelope) matches the specification', async (provider, file) => {
    const status = Number(/^error-(\d{3})-/.exec(file)?.[1] ?? 200);
    reply = { body: readFileSync(join(FIXTURES, provider, 'nonstream', file), 'utf8'), status, json: true };

    const response = await post({ model: status === 200 ? ALIAS[provider] : `${ALIAS[provider]}-errors`, input: 'Go.', tools: [tool] });

    const body = await response.json();
    if (status === 200) {
      expect(response.status).toBe(200);
      assertOpenResponsesSchema('ResponseResource', body);
    } else {
      expect(response.status).toBe(status);
      assertOpenAiSchema('ErrorResponse', body);
    }
  });

  it('a chat-only target’s plain JSON answer, with the request’s settings echoed, matches the specification', async () => {
    const completion = { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'llama-3.3-70b', choices: [{ index: 0, message: { role: 'assistant', content: '{"city":"Paris"}' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } };
    reply = { body: JSON.stringify(completion), status: 200, json: true };

    const response = await post({
      model: ALIAS.openai,
      instructions: 'Answer in JSON.',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Capital of France?' }] }],
      tools: [tool],
      tool_choice: 'auto',
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 64,
      metadata: { team: 'search' },
      text: { format: { type: 'json_object' } },
      prompt_cache_key: 'session-7',
      safety_identifier: 'user-42',
    });

    expect(response.status).toBe(200);
    const body = await response.json();
    assertOpenResponsesSchema('ResponseResource', body);
    expect(body).toMatchObject({ instructions: 'Answer in JSON.', temperature: 0.2, top_p: 0.9, max_output_tokens: 64, metadata: { team: 'search' }, prompt_cache_key: 'session-7', safety_identifier: 'user-42', tool_choice: 'auto' });
  });
});
