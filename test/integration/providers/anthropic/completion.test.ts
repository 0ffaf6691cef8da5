import { chatVia } from '../../../helpers/chat-protocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletion, ChatCompletionChunk } from '../../../../functions/core/protocols/openai-chat/types';
import { anthropicProvider } from '../../../../functions/providers/anthropic';
import { sendJson, startFakeUpstream, writeInPieces, type FakeUpstream } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema, SHARED_DIR } from '../../../helpers/openai-schemas';
import { makeCall, makeContext } from '../../../helpers/providers/anthropic/call-context';

const NONSTREAM = join(SHARED_DIR, 'fixtures', 'anthropic', 'nonstream');

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream(() => undefined);
});
afterAll(() => upstream.close());

async function complete(answer: unknown, request: Parameters<typeof makeCall>[0] = {}): Promise<ChatCompletion> {
  upstream.setHandler((_request, res) => sendJson(res, 200, answer));
  const result = await chatVia(anthropicProvider, makeCall(request), makeContext({ baseUrl: upstream.url }));
  if (result.kind !== 'completion') throw new Error('expected a completion');
  assertOpenAiSchema('CreateChatCompletionResponse', result.completion);
  return result.completion;
}

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(NONSTREAM, name), 'utf8'));
}

describe('Anthropic non-streaming fixtures', () => {
  it('text.json becomes a stop completion with usage', async () => {
    const completion = await complete(fixture('text.json'));

    expect(completion).toEqual({
      id: 'msg_01VdEjxAP5ahtHKrrRdNBteQ',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
            refusal: null,
          },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 29, total_tokens: 41, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
    });
  });

  it('tool-no-args.json becomes a tool call with arguments "{}" beside the text', async () => {
    const completion = await complete(fixture('tool-no-args.json'));

    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toMatch(/^<thinking>\nThe updateIssueList tool/);
    expect(choice?.message.tool_calls).toEqual([{ id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', type: 'function', function: { name: 'updateIssueList', arguments: '{}' } }]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 602, completion_tokens: 93, total_tokens: 695 });
  });

  it('refusal.json becomes content_filter with null content', async () => {
    const completion = await complete(fixture('refusal.json'));

    expect(completion.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: null, refusal: null }, finish_reason: 'content_filter', logprobs: null });
    expect(completion.usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 5 });
  });
});

describe('Anthropic completion details', () => {
  it('counts cache reads and writes in prompt_tokens, thinking as reasoning_content', async () => {
    const completion = await complete({
      id: 'msg_1',
      type: 'message',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'Let me add.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'xyz' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
        { type: 'text', text: '2 + 2 = 4' },
      ],
      stop_reason: 'end_turn',
      usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 30, output_tokens_details: { thinking_tokens: 12 } },
    });

    expect(completion.choices[0]?.message).toEqual({
      role: 'assistant',
      content: '2 + 2 = 4',
      refusal: null,
      reasoning_content: 'Let me add.',
      thinking_blocks: [
        { type: 'thinking', thinking: 'Let me add.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'xyz' },
      ],
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 130,
      completion_tokens: 30,
      total_tokens: 160,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
      completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  it('returns the structured-output tool input as the content, without preamble', async () => {
    const completion = await complete(
      {
        id: 'msg_2',
        type: 'message',
        model: 'claude-sonnet-4-5',
        content: [
          { type: 'text', text: 'Here is the event.' },
          { type: 'tool_use', id: 'toolu_1', name: 'calendar_event', input: { name: 'Science Fair', date: 'Friday', participants: ['Alice', 'Bob'] } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 50, output_tokens: 20 },
      },
      { response_format: { type: 'json_schema', json_schema: { name: 'calendar_event', schema: { type: 'object' } } } },
    );

    expect(completion.choices[0]?.message).toEqual({
      role: 'assistant',
      content: '{"name":"Science Fair","date":"Friday","participants":["Alice","Bob"]}',
      refusal: null,
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams the structured-output tool input as content with finish_reason stop', async () => {
    const sse = readFileSync(join(SHARED_DIR, 'fixtures', 'anthropic', 'tool-only-json.sse'));
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, sse, 5);
    });
    const call = makeCall({ stream: true, response_format: { type: 'json_schema', json_schema: { name: 'json', schema: { type: 'object' } } } });

    const result = await chatVia(anthropicProvider, call, makeContext({ baseUrl: upstream.url }));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of result.chunks) chunks.push(chunk);

    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(JSON.parse(content)).toEqual({ elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] });
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.filter((chunk) => chunk.choices.length > 0).at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('sends the translated body with x-api-key and anthropic-version to {baseUrl}/v1/messages', async () => {
    await complete(fixture('text.json'), { messages: [{ role: 'user', content: 'Hello' }], temperature: 0 });

    const received = upstream.requests[upstream.requests.length - 1];
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/v1/messages');
    expect(received?.headers).toMatchObject({ 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
    expect(received?.json).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1000,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      temperature: 0,
    });
  });
});
