import { chatVia } from '../../../helpers/chat-protocol';
import type { ChatCompletion } from '../../../../functions/core/protocols/openai-chat/types';
import type { FakeUpstream } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema } from '../../../helpers/openai-schemas';
import { chatCall, collect, fixture, testContext, testProvider } from '../../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock, type FakeBedrockReply } from '../../../helpers/providers/bedrock/fake-bedrock';

const META = { id: 'chatcmpl-req-1', object: 'chat.completion', created: 1_700_000_000, model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' };

describe('Bedrock Converse → OpenAI chat completion', () => {
  let fake: FakeUpstream;
  let reply: FakeBedrockReply;
  beforeAll(async () => {
    fake = await startFakeBedrock(() => reply);
  });
  afterAll(() => fake.close());

  async function complete(body: unknown, request = chatCall({})): Promise<ChatCompletion> {
    reply = { kind: 'json', body };
    const result = await chatVia(testProvider(), request, testContext(fake.url));
    if (result.kind !== 'completion') throw new Error('expected a completion');
    assertOpenAiSchema('CreateChatCompletionResponse', result.completion);
    return result.completion;
  }

  it.each([
    [
      'nonstream/text.json',
      {
        ...META,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."', refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 22, completion_tokens: 57, total_tokens: 79, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
      },
    ],
    [
      'nonstream/tool-call.json',
      {
        ...META,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'tool-use-id', type: 'function', function: { name: 'bash', arguments: '{"command":"ls -l"}' } }] },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
      },
    ],
    [
      'nonstream/reasoning.json',
      {
        ...META,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y',
              refusal: null,
              reasoning_content: 'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r\'s.',
              // The signed block whole, for the client to hand back on the next turn of a tool loop.
              thinking_blocks: [
                {
                  type: 'thinking',
                  thinking: 'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r\'s.',
                  signature: expect.stringMatching(/^EvYBCkgICxAB[A-Za-z0-9+/=]{100,}$/),
                },
              ],
            },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 51, completion_tokens: 78, total_tokens: 129, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
      },
    ],
  ])('%s', async (name, expected) => {
    expect(await complete(JSON.parse(fixture(name)))).toEqual(expected);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('stopReason %s → finish_reason %s', async (stopReason, finishReason) => {
    const content = stopReason === 'tool_use' ? [{ toolUse: { toolUseId: 't1', name: 'f', input: {} } }] : [{ text: 'x' }];

    const completion = await complete({ output: { message: { role: 'assistant', content } }, stopReason, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });

    expect(completion.choices[0]?.finish_reason).toBe(finishReason);
  });

  it('counts cache reads and writes into prompt_tokens and reports them in the details', async () => {
    const completion = await complete({
      output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 12, outputTokens: 5, totalTokens: 1517, cacheReadInputTokens: 1000, cacheWriteInputTokens: 500 },
    });

    expect(completion.usage).toEqual({ prompt_tokens: 1512, completion_tokens: 5, total_tokens: 1517, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 500 } });
  });

  it('returns the response_format tool input as message content with finish_reason stop', async () => {
    const request = chatCall({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } } });

    const completion = await complete(
      { output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'answer', input: { city: 'Paris' } } }] } }, stopReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } },
      request,
    );

    expect(completion.choices[0]).toMatchObject({ message: { content: '{"city":"Paris"}' }, finish_reason: 'stop' });
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it('streams the response_format tool input as content, not as a tool call', async () => {
    reply = {
      kind: 'stream',
      jsonl: [
        '{"messageStart":{"role":"assistant"}}',
        '{"contentBlockStart":{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t1","name":"answer"}}}}',
        '{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\\"city\\":"}}}}',
        '{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"toolUse":{"input":"\\"Paris\\"}"}}}}',
        '{"contentBlockStop":{"contentBlockIndex":0}}',
        '{"messageStop":{"stopReason":"tool_use"}}',
      ].join('\n'),
    };
    const request = chatCall({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } } }, { stream: true });

    const result = await chatVia(testProvider(), request, testContext(fake.url));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const { chunks, error } = await collect(result.chunks);

    expect(error).toBeUndefined();
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([{ role: 'assistant', content: '', refusal: null }, { content: '{"city":' }, { content: '"Paris"}' }, {}]);
    expect(chunks[chunks.length - 1]?.choices[0]?.finish_reason).toBe('stop');
  });
});
