import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { defaultProviders } from '../../../../functions/providers/registry';
import { writeInPieces, type FakeUpstream } from '../../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../../helpers/gateway-harness';
import { SHARED_DIR } from '../../../helpers/openai-schemas';
import { testProvider } from '../../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock, type FakeBedrockCall, type FakeBedrockReply } from '../../../helpers/providers/bedrock/fake-bedrock';
import { startScriptedUpstreams, type ScriptedUpstreams } from '../../../helpers/scripted-upstreams';

// Claude on Bedrock through InvokeModel / InvokeModelWithResponseStream with Anthropic's own
// Messages body (DESIGN §1), against a fake Bedrock runtime speaking the real event-stream wire
// format to the real AWS SDK; the recorded Anthropic streams are replayed as Bedrock frames and
// compared with what the same streams give through the Anthropic provider.

const FIXTURES = join(SHARED_DIR, 'fixtures', 'anthropic');
const COMPLETE_STREAMS = readdirSync(FIXTURES).filter((name) => name.endsWith('.sse') && !name.startsWith('error-'));
const BEDROCK_CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** An SSE body as [event name, parsed data] pairs. */
function sseEvents(text: string): Array<[string | undefined, unknown]> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => [/^event: (.*)$/m.exec(block)?.[1], JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null')]);
}

describe('Claude on Bedrock, natively through InvokeModel', () => {
  let bedrock: FakeUpstream;
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;
  let reply: (call: FakeBedrockCall) => FakeBedrockReply;
  const calls: FakeBedrockCall[] = [];

  beforeAll(async () => {
    bedrock = await startFakeBedrock((call) => {
      calls.push(call);
      return reply(call);
    });
    up = await startScriptedUpstreams(['anthropic']);
    harness = await startGatewayHarness({
      config: {
        providers: {
          aws: { type: 'bedrock', region: 'us-east-1', baseUrl: bedrock.url },
          anthropic: { type: 'anthropic', baseUrl: up.upstreams.anthropic?.url, apiKeySecret: 'anthropic' },
        },
        models: {
          'claude-bedrock': { targets: [{ provider: 'aws', model: BEDROCK_CLAUDE }] },
          'claude-direct': { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' }] },
          nova: { targets: [{ provider: 'aws', model: 'us.amazon.nova-lite-v1:0' }] },
        },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_ANTHROPIC: 'test-anthropic-key' },
      providers: { ...defaultProviders, bedrock: testProvider() },
    });
  });
  afterAll(async () => {
    await harness.close();
    await bedrock.close();
    await up.close();
  });
  beforeEach(() => {
    calls.length = 0;
    up.reset();
  });

  const post = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${harness.baseURL}/messages`, {
      method: 'POST',
      headers: { 'x-api-key': harness.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it.each(COMPLETE_STREAMS)('relays %s to a Messages client event for event as Anthropic sent it (Bedrock frames in 7-byte pieces)', async (file) => {
    const sse = readFileSync(join(FIXTURES, file), 'utf8');
    reply = () => ({ kind: 'claude-stream', sse, pieceSize: 7 });

    const response = await post({ model: 'claude-bedrock', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Hi' }] });

    expect(response.status).toBe(200);
    expect(sseEvents(await response.text())).toEqual(sseEvents(sse));
    expect(calls.map((call) => [call.operation, call.modelId])).toEqual([['invoke-with-response-stream', BEDROCK_CLAUDE]]);
  });

  it('sends the client’s Messages body as Bedrock wants it: anthropic_version, no model or stream, betas Bedrock knows as anthropic_beta, max_tokens within the model’s limit', async () => {
    reply = () => ({ kind: 'claude-stream', sse: readFileSync(join(FIXTURES, 'text-basic.sse'), 'utf8') });
    const body = {
      model: 'claude-bedrock',
      max_tokens: 128_000,
      stream: true,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'The user greets me.', signature: 'sig-abc' }, { type: 'text', text: 'Hello.' }] },
        { role: 'user', content: 'And now?' },
      ],
      thinking: { type: 'enabled', budget_tokens: 2048 },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      tools: [{ name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
    };

    await (await post(body, { 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27' })).text();

    const { model: _model, stream: _stream, ...rest } = body;
    expect(calls[0]?.request.json).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      ...rest,
      max_tokens: 64_000,
      anthropic_beta: ['interleaved-thinking-2025-05-14', 'context-management-2025-06-27'],
    });
  });

  it('answers a non-streamed request with Claude’s message as Bedrock returned it', async () => {
    const recorded = JSON.parse(readFileSync(join(FIXTURES, 'nonstream', 'text.json'), 'utf8')) as Record<string, unknown>;
    reply = () => ({ kind: 'json', body: recorded });
    const client = new Anthropic({ baseURL: harness.url, apiKey: harness.key, maxRetries: 0 });

    const message = await client.messages.create({ model: 'claude-bedrock', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });

    expect(message).toEqual(recorded);
    expect(calls.map((call) => call.operation)).toEqual(['invoke']);
  });

  it('gives a Chat Completions client the same answer from Claude on Bedrock as from Anthropic: the same Messages body, the same translation of the stream', async () => {
    const sse = readFileSync(join(FIXTURES, 'thinking-signature.sse'), 'utf8');
    reply = () => ({ kind: 'claude-stream', sse, pieceSize: 5 });
    up.script('anthropic', async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, sse, 5);
    });
    const openai = harness.client();
    const ask = async (model: string) => {
      const stream = await openai.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, reasoning_effort: 'low', max_tokens: 4000, messages: [{ role: 'system', content: 'Think first.' }, { role: 'user', content: 'What is 2 + 2?' }] });
      const chunks = [];
      for await (const chunk of stream) chunks.push({ choices: chunk.choices, usage: chunk.usage });
      return chunks;
    };

    const viaBedrock = await ask('claude-bedrock');
    const viaAnthropic = await ask('claude-direct');

    expect(viaBedrock).toEqual(viaAnthropic);
    expect(viaBedrock.some((chunk) => chunk.choices[0]?.delta && 'reasoning_content' in chunk.choices[0].delta)).toBe(true);
    const { model: _a, stream: _s, ...anthropicBody } = up.upstreams.anthropic?.requests[0]?.json as Record<string, unknown>;
    expect(calls[0]?.request.json).toEqual({ anthropic_version: 'bedrock-2023-05-31', ...anthropicBody });
  });

  it('relays the text before a mid-stream model failure, then event: error with Anthropic’s overloaded_error', async () => {
    reply = () => ({ kind: 'claude-stream', sse: readFileSync(join(FIXTURES, 'error-overloaded-midstream.sse'), 'utf8'), pieceSize: 3 });

    const response = await post({ model: 'claude-bedrock', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const events = sseEvents(await response.text());

    expect(response.status).toBe(200);
    expect(events[0]?.[0]).toBe('message_start');
    expect(events.at(-1)).toEqual(['error', { type: 'error', error: expect.objectContaining({ type: 'overloaded_error' }) }]);
  });

  it('keeps other Bedrock models on the Converse API', async () => {
    reply = () => ({ kind: 'json', body: { output: { message: { role: 'assistant', content: [{ text: 'Hi from Nova.' }] } }, stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } } });

    const message = await new Anthropic({ baseURL: harness.url, apiKey: harness.key, maxRetries: 0 }).messages.create({ model: 'nova', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });

    expect(message.content).toEqual([{ type: 'text', text: 'Hi from Nova.' }]);
    expect(calls.map((call) => call.operation)).toEqual(['converse']);
  });

  it('streams a tool call of another Bedrock model (Converse) to the Anthropic SDK as a tool_use block', async () => {
    reply = () => ({ kind: 'stream', jsonl: readFileSync(join(SHARED_DIR, 'fixtures', 'bedrock', 'tool-call.jsonl'), 'utf8'), pieceSize: 7 });
    const client = new Anthropic({ baseURL: harness.url, apiKey: harness.key, maxRetries: 0 });

    const message = await client.messages
      .stream({ model: 'nova', max_tokens: 100, tools: [{ name: 'test-tool', input_schema: { type: 'object', properties: { value: { type: 'string' } } } }], messages: [{ role: 'user', content: 'Use the tool.' }] })
      .finalMessage();

    expect(message.content).toEqual([{ type: 'tool_use', id: 'tool-use-id', name: 'test-tool', input: { value: 'Sparkle Day' } }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 125, output_tokens: 45 });
    expect(calls.map((call) => call.operation)).toEqual(['converse-stream']);
  });

  it('answers a Bedrock throttle before the stream in Anthropic’s envelope', async () => {
    reply = () => ({ kind: 'error', status: 429, errorType: 'ThrottlingException', message: 'Too many requests' });

    const response = await post({ model: 'claude-bedrock', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] });

    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });
});
