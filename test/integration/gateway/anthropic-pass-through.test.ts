import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { writeInPieces, sendJson } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { SHARED_DIR } from '../../helpers/openai-schemas';
import { startScriptedUpstreams, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'anthropic');
/** The recorded streams that end normally (the error ones are checked apart). */
const COMPLETE_STREAMS = readdirSync(FIXTURES).filter((name) => name.endsWith('.sse') && !name.startsWith('error-'));

describe('native pass-through from an Anthropic client to an Anthropic target', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['anthropic']);
    harness = await startGatewayHarness({
      config: {
        providers: { anthropic: { type: 'anthropic', baseUrl: up.upstreams.anthropic?.url, apiKeySecret: 'anthropic', betas: { deny: ['files-api-2025-04-14'] } } },
        models: {
          claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', maxOutputTokens: 8000 }] },
          'claude-precise': { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', params: { temperature: 0.1, top_k: 5 } }] },
        },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_ANTHROPIC: 'test-anthropic-key' },
    });
  });
  afterAll(async () => {
    await harness.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  const post = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${harness.baseURL}/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': harness.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const replay = (file: string, pieceSize: number): void =>
    up.script('anthropic', async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, readFileSync(join(FIXTURES, file)), pieceSize);
    });

  describe.each([
    ['whole', Number.MAX_SAFE_INTEGER],
    ['in 1-byte pieces', 1],
    ['in 7-byte pieces', 7],
  ])('every recorded stream, sent %s', (_label, pieceSize) => {
    it.each(COMPLETE_STREAMS)('%s reaches the client byte for byte', async (file) => {
      replay(file, pieceSize);

      const response = await post({ model: 'claude', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Hi' }] });

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(await response.text()).toBe(readFileSync(join(FIXTURES, file), 'utf8'));
      // The 68 kB web-search stream in 1-byte writes is 68,000 awaited socket writes: on a busy
      // two-core machine that alone can take longer than the default timeout.
    }, 120_000);
  });

  it('sends the client’s body as sent, with the provider model, its anthropic-version, and the anthropic-beta values the provider allows', async () => {
    replay('text-basic.sse', Number.MAX_SAFE_INTEGER);
    const body = {
      model: 'claude',
      max_tokens: 1024,
      stream: true,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }],
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
      metadata: { user_id: 'user-7' },
    };

    await (await post(body, { 'anthropic-beta': 'context-management-2025-06-27, files-api-2025-04-14' })).text();

    const sent = up.upstreams.anthropic?.requests[0];
    expect(sent?.json).toEqual({ ...body, model: 'claude-sonnet-4-5-20250929' });
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers['anthropic-beta']).toBe('context-management-2025-06-27');
    expect(sent?.headers['x-api-key']).toBe('test-anthropic-key');
  });

  it('passes a long coding session through unchanged: 600 kB of context in 400 turns, tool results and system turns included', async () => {
    replay('text-basic.sse', Number.MAX_SAFE_INTEGER);
    const output = 'src/file.ts: line of build output\n'.repeat(85);
    const messages = Array.from({ length: 200 }, (_, i) => [
      { role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'Bash', input: { command: `npm run build -- --step ${i}` } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: output }] },
    ]).flat();
    const body = {
      model: 'claude',
      max_tokens: 4096,
      stream: true,
      messages: [{ role: 'user', content: 'Fix the build.' }, ...messages, { role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Go on.' }],
    };
    expect(JSON.stringify(body).length).toBeGreaterThan(600 * 1024);

    const response = await post(body);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(readFileSync(join(FIXTURES, 'text-basic.sse'), 'utf8'));
    expect(up.upstreams.anthropic?.requests[0]?.json).toEqual({ ...body, model: 'claude-sonnet-4-5-20250929' });
  });

  it('counts tokens exactly with Anthropic’s count_tokens (the client’s body, the provider model and key), and estimates when that fails', async () => {
    const client = new Anthropic({ baseURL: harness.url, apiKey: harness.key, maxRetries: 0 });
    const body = { model: 'claude', system: 'Be brief.', messages: [{ role: 'user' as const, content: 'How many tokens is this?' }], tools: [{ name: 'Bash', input_schema: { type: 'object' as const } }] };
    up.script('anthropic', (_request, res) => sendJson(res, 200, { input_tokens: 1234 }));

    const { data: exact, response } = await client.messages.countTokens(body, { headers: { 'anthropic-beta': 'token-counting-2024-11-01' } }).withResponse();

    expect(exact).toEqual({ input_tokens: 1234 });
    expect(response.headers.get('x-switchyard-token-count')).toBe('exact');
    const sent = up.upstreams.anthropic?.requests[0];
    expect(sent?.url).toBe('/v1/messages/count_tokens');
    expect(sent?.json).toEqual({ ...body, model: 'claude-sonnet-4-5-20250929' });
    expect(sent?.headers['x-api-key']).toBe('test-anthropic-key');
    expect(sent?.headers['anthropic-beta']).toBe('token-counting-2024-11-01');

    up.script('anthropic', (_request, res) => sendJson(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    const { data: estimated, response: fallback } = await client.messages.countTokens(body).withResponse();

    expect(fallback.headers.get('x-switchyard-token-count')).toBe('estimated');
    expect(estimated.input_tokens).toBeGreaterThan(0);
  });

  it('forces a target’s params on the body it passes through', async () => {
    replay('text-basic.sse', Number.MAX_SAFE_INTEGER);

    await (await post({ model: 'claude-precise', max_tokens: 100, temperature: 0.9, stream: true, messages: [{ role: 'user', content: 'Hi' }] })).text();

    expect(up.upstreams.anthropic?.requests[0]?.json).toMatchObject({ model: 'claude-sonnet-4-5-20250929', temperature: 0.1, top_k: 5 });
  });

  it('caps max_tokens at the target’s limit, and records the usage with cache tokens from message_delta', async () => {
    replay('cache-tokens-in-message-delta.sse', 5);

    await (await post({ model: 'claude', max_tokens: 64_000, stream: true, messages: [{ role: 'user', content: 'Hi' }] })).text();

    expect((up.upstreams.anthropic?.requests[0]?.json as { max_tokens: number }).max_tokens).toBe(8000);
    const events = await harness.usageEvents();
    const event = events[events.length - 1];
    expect(event).toMatchObject({ endpoint: '/v1/messages', status: 'ok', provider: 'anthropic', usage_estimated: false });
    expect(event?.cached_input_tokens).toBeGreaterThan(0);
  });

  it.each(readdirSync(join(FIXTURES, 'nonstream')))('passes the non-streamed %s through unchanged to the SDK', async (file) => {
    const recorded = JSON.parse(readFileSync(join(FIXTURES, 'nonstream', file), 'utf8')) as Record<string, unknown>;
    up.script('anthropic', (_request, res) => sendJson(res, 200, recorded));
    const client = new Anthropic({ baseURL: harness.baseURL.replace(/\/v1$/, ''), apiKey: harness.key, maxRetries: 0 });

    const message = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });

    expect(message).toEqual(recorded);
  });

  it('falls back on, or answers in Anthropic’s envelope, an overloaded first event; relays the text before a mid-stream error, then event: error', async () => {
    replay('error-overloaded-first-event.sse', Number.MAX_SAFE_INTEGER);
    const first = await post({ model: 'claude', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(await first.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });

    replay('error-overloaded-midstream.sse', 3);
    const mid = await post({ model: 'claude', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const text = await mid.text();
    expect(mid.status).toBe(200);
    expect(text.startsWith('event: message_start\n')).toBe(true);
    const frames = text.trimEnd().split('\n\n');
    expect(frames[frames.length - 1]).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error"/);
  });
});
