import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { SseDecoder } from '../../../../functions/core/streaming/sse-decoder';
import { startFakeUpstream, writeInPieces, type FakeUpstream } from '../../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../../helpers/gateway-harness';
import { assertOpenAiSchema, SHARED_DIR } from '../../../helpers/openai-schemas';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'openai');
const streamFixtures = readdirSync(FIXTURES).filter((file) => file.endsWith('.sse'));

/** What a client should assemble from a fixture, computed from the upstream bytes themselves. */
interface Expected {
  content: string;
  reasoning: string;
  refusal: string;
  toolCalls: Array<{ id: string | undefined; name: string; arguments: string }>;
  finishReason: string | null;
  usage: unknown;
}

function expectedFrom(file: string): Expected {
  const decoder = new SseDecoder();
  const events = [...decoder.pushText(readFileSync(join(FIXTURES, file), 'utf8')), ...decoder.end()];
  const expected: Expected = { content: '', reasoning: '', refusal: '', toolCalls: [], finishReason: null, usage: undefined };
  const slots = new Map<number, Expected['toolCalls'][number]>();
  for (const event of events) {
    if (event.data === '[DONE]') continue;
    const chunk = JSON.parse(event.data) as OpenAI.ChatCompletionChunk & { choices: Array<{ delta: { reasoning_content?: string } }> };
    if (chunk.usage) expected.usage = chunk.usage;
    for (const choice of chunk.choices) {
      expected.content += choice.delta.content ?? '';
      expected.reasoning += choice.delta.reasoning_content ?? '';
      expected.refusal += choice.delta.refusal ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        let slot = slots.get(call.index);
        if (!slot) {
          slot = { id: call.id, name: '', arguments: '' };
          slots.set(call.index, slot);
          expected.toolCalls.push(slot);
        }
        slot.name += call.function?.name ?? '';
        slot.arguments += call.function?.arguments ?? '';
      }
      if (choice.finish_reason) expected.finishReason = choice.finish_reason;
    }
  }
  return expected;
}

describe.each([
  ['whole', 1 << 20],
  ['cut into 1-byte writes', 1],
])('OpenAI-compatible streams pass through faithfully (%s)', (_mode, pieceSize) => {
  let upstream: FakeUpstream;
  let harness: GatewayHarness;
  let fixture = '';

  beforeAll(async () => {
    upstream = await startFakeUpstream(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, readFileSync(join(FIXTURES, fixture)), pieceSize);
    });
    harness = await startGatewayHarness({
      config: {
        providers: { up: { type: 'openai', baseUrl: `${upstream.url}/v1`, apiKeySecret: 'up' } },
        models: { 'gpt-alias': { targets: [{ provider: 'up', model: 'upstream-model' }] } },
      },
      env: { SWITCHYARD_SECRET_UP: 'sk-upstream-secret' },
    });
  });
  afterAll(async () => {
    await harness.close();
    await upstream.close();
  });

  it.each(streamFixtures)('%s', async (file) => {
    fixture = file;
    const expected = expectedFrom(file);
    const stream = await harness.client().chat.completions.create({
      model: 'gpt-alias',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const got: Expected = { content: '', reasoning: '', refusal: '', toolCalls: [], finishReason: null, usage: undefined };
    const slots = new Map<number, Expected['toolCalls'][number]>();
    let chunks = 0;
    for await (const chunk of stream) {
      assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
      chunks++;
      if (chunk.usage) got.usage = chunk.usage;
      for (const choice of chunk.choices) {
        got.content += choice.delta.content ?? '';
        got.reasoning += (choice.delta as { reasoning_content?: string }).reasoning_content ?? '';
        got.refusal += choice.delta.refusal ?? '';
        for (const call of choice.delta.tool_calls ?? []) {
          let slot = slots.get(call.index);
          if (!slot) {
            expect(call.index).toBe(slots.size); // indices from 0, in order
            slot = { id: call.id, name: '', arguments: '' };
            slots.set(call.index, slot);
            got.toolCalls.push(slot);
          }
          slot.name += call.function?.name ?? '';
          slot.arguments += call.function?.arguments ?? '';
        }
        if (choice.finish_reason) got.finishReason = choice.finish_reason;
      }
    }

    expect(chunks).toBeGreaterThan(0);
    // A stream that reported no usage still ends with the usage chunk the client asked for,
    // estimated by the gateway; everything else is the upstream's, unchanged.
    const usage = expected.usage ?? { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) };
    expect(got).toEqual({ ...expected, usage });
    const sent = upstream.requests[upstream.requests.length - 1];
    expect(sent?.headers.authorization).toBe('Bearer sk-upstream-secret');
    expect(sent?.json).toMatchObject({ model: 'upstream-model', stream: true, stream_options: { include_usage: true } });
  });
});

describe('OpenAI non-streaming pass-through', () => {
  it('returns the upstream completion schema-valid, with the usage recorded', async () => {
    const body = JSON.parse(readFileSync(join(FIXTURES, 'gold-json-schema-response.json'), 'utf8'));
    const upstream = await startFakeUpstream((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    const harness = await startGatewayHarness({
      config: { providers: { up: { type: 'openai', baseUrl: `${upstream.url}/v1` } }, models: { m: { targets: [{ provider: 'up', model: 'gpt-4o' }] } } },
    });
    try {
      const completion = await harness.client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
      assertOpenAiSchema('CreateChatCompletionResponse', completion);
      expect(completion.choices[0]?.message.content).toBe(body.choices[0].message.content);
      expect(completion.usage).toEqual(body.usage);
      expect(upstream.requests[0]?.json).toMatchObject({ model: 'gpt-4o', max_tokens: 16384 });
      const [event] = await harness.usageEvents();
      expect(event).toMatchObject({ input_tokens: body.usage.prompt_tokens, output_tokens: body.usage.completion_tokens, provider: 'up' });
    } finally {
      await harness.close();
      await upstream.close();
    }
  });
});

describe('Azure OpenAI', () => {
  it('addresses the model as a deployment with api-version and authenticates with api-key', async () => {
    const upstream = await startFakeUpstream((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(readFileSync(join(FIXTURES, 'variant-azure-model-router.sse')));
    });
    const harness = await startGatewayHarness({
      config: {
        providers: { azure: { type: 'openai', baseUrl: upstream.url, apiKeySecret: 'azure', azure: { apiVersion: '2024-10-21' } } },
        models: { m: { targets: [{ provider: 'azure', model: 'my-gpt-deployment' }] } },
      },
      env: { SWITCHYARD_SECRET_AZURE: 'azure-secret' },
    });
    try {
      const stream = await harness.client().chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
      for await (const chunk of stream) assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
      const sent = upstream.requests[0];
      expect(sent?.url).toBe('/openai/deployments/my-gpt-deployment/chat/completions?api-version=2024-10-21');
      expect(sent?.headers['api-key']).toBe('azure-secret');
      expect(sent?.headers.authorization).toBeUndefined();
    } finally {
      await harness.close();
      await upstream.close();
    }
  });
});
