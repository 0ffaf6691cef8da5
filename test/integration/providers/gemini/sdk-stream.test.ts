import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { startFakeUpstream, writeInPieces, type FakeUpstream } from '../../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../../helpers/gateway-harness';
import { assertOpenAiSchema, SHARED_DIR } from '../../../helpers/openai-schemas';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'gemini');
const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'getWeather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
  { type: 'function', function: { name: 'read_theme', parameters: { type: 'object', properties: {} } } },
  { type: 'function', function: { name: 'read_screen', parameters: { type: 'object', properties: { path: { type: 'string' } } } } },
];

describe('the OpenAI SDK stream helper over a translated Gemini stream', () => {
  let upstream: FakeUpstream;
  let harness: GatewayHarness;
  let fixture = '';

  beforeAll(async () => {
    upstream = await startFakeUpstream(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, readFileSync(join(FIXTURES, fixture)), 1);
    });
    harness = await startGatewayHarness({
      config: {
        providers: { google: { type: 'gemini', baseUrl: upstream.url, apiKeySecret: 'gemini' } },
        models: { flash: { targets: [{ provider: 'google', model: 'gemini-2.5-flash' }] } },
      },
      env: { GEMINI_API_KEY: 'test-gemini-key' },
    });
  });
  afterAll(async () => {
    await harness.close();
    await upstream.close();
  });

  it.each([
    ['tool-call-streamed-args.sse', ['getWeather', 'getWeather']],
    ['tool-call-no-args-streamed.sse', ['read_theme', 'read_screen', 'read_screen', 'read_screen']],
  ])('%s yields the final message with every tool call, parseable arguments and usage', async (file, names) => {
    fixture = file;
    const runner = harness.client().chat.completions.stream({
      model: 'flash',
      messages: [{ role: 'user', content: 'Use the tools' }],
      tools,
      stream_options: { include_usage: true },
    });
    runner.on('chunk', (chunk) => assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk));
    const final = await runner.finalChatCompletion();

    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((call) => (call.type === 'function' ? call.function.name : call.type))).toEqual(names);
    for (const call of calls) {
      if (call.type !== 'function') continue;
      expect(call.id).toMatch(/^call_/);
      expect(() => JSON.parse(call.function.arguments)).not.toThrow();
    }
    expect(new Set(calls.map((call) => call.id)).size).toBe(calls.length);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
    const sent = upstream.requests[upstream.requests.length - 1];
    expect(sent?.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(sent?.headers['x-goog-api-key']).toBe('test-gemini-key');
  });
});
