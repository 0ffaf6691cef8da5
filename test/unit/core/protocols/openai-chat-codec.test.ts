import { GatewayError } from '../../../../functions/core/errors';
import type { CanonicalCompletion, CanonicalStreamEvent } from '../../../../functions/core/model/response';
import { decodeChatRequest } from '../../../../functions/core/protocols/openai-chat/decode';
import { ChatChunkEncoder, encodeChatCompletion } from '../../../../functions/core/protocols/openai-chat/encode';
import { ChatStreamEncoder } from '../../../../functions/core/protocols/openai-chat/stream-encoder';
import type { ChatCompletionChunk, ChatCompletionRequest, ChatMessage, ToolCall, ToolDefinition } from '../../../../functions/core/protocols/openai-chat/types';
import { assertOpenAiSchema } from '../../../helpers/openai-schemas';

const identity = { id: 'chatcmpl-req1', created: 1_700_000_000, model: 'claude-sonnet-4-5' };
const PNG = 'iVBORw0KGgo=';

describe('Chat Completions → canonical request', () => {
  const body: ChatCompletionRequest = {
    model: 'smart',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Cite sources.', cache_control: { type: 'ephemeral' } }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'video_url', video_url: { url: 'https://example.com/v.mp4' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Looking.',
        reasoning_content: 'I should look it up.',
        thinking_blocks: [
          { type: 'thinking', thinking: 'I should look it up.', signature: 'sig-1' },
          { type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' },
          { type: 'thinking', thinking: 'no signature: not replayable' },
        ],
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' }, extra_content: { google: { thought_signature: 'gem-sig' } } } as ToolCall],
      } as ChatMessage,
      { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
    ],
    tools: [{ type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object' }, strict: true }, cache_control: { type: 'ephemeral' } } as ToolDefinition],
    tool_choice: { type: 'function', function: { name: 'lookup' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    stop: 'END',
    max_tokens: 100,
    max_completion_tokens: 200,
    temperature: 0.2,
    top_p: 0.9,
    seed: 7,
    reasoning_effort: 'none',
    user: 'user-42',
    metadata: { feature: 'search' },
    logprobs: true,
    stream: true,
  };

  it('keeps every message in order with its source, media decoded, reasoning with its state, tool calls with their signature', () => {
    const request = decodeChatRequest(body);

    expect(request.messages).toEqual([
      { role: 'system', source: 'messages[0]', content: [{ type: 'text', text: 'Be brief.', source: 'messages[0].content' }] },
      { role: 'system', source: 'messages[1]', content: [{ type: 'text', text: 'Cite sources.', cache: { type: 'ephemeral' }, source: 'messages[1].content[0]' }] },
      {
        role: 'user',
        source: 'messages[2]',
        content: [
          { type: 'text', text: 'What is in these?', source: 'messages[2].content[0]' },
          { type: 'image', media: { kind: 'base64', mediaType: 'image/png', data: PNG }, detail: 'low', source: 'messages[2].content[1]' },
          { type: 'image', media: { kind: 'url', url: 'https://example.com/cat.jpg' }, source: 'messages[2].content[2]' },
          { type: 'document', media: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'a.pdf', source: 'messages[2].content[3]' },
          { type: 'audio', data: 'UklGRg==', format: 'wav', source: 'messages[2].content[4]' },
          { type: 'opaque', wireType: 'video_url', source: 'messages[2].content[5]' },
        ],
      },
      {
        role: 'assistant',
        source: 'messages[3]',
        content: [
          { type: 'reasoning', text: 'I should look it up.', state: { format: 'anthropic', signature: 'sig-1' }, source: 'messages[3].thinking_blocks[0]' },
          { type: 'reasoning', text: '', state: { format: 'anthropic-redacted', data: 'ZW5jcnlwdGVk' }, source: 'messages[3].thinking_blocks[1]' },
          { type: 'text', text: 'Looking.', source: 'messages[3].content' },
          { type: 'tool_call', id: 'call_1', name: 'lookup', kind: 'function', arguments: '{"q":"cat"}', thoughtSignature: 'gem-sig', source: 'messages[3].tool_calls[0]' },
        ],
      },
      {
        role: 'tool',
        source: 'messages[4]',
        content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'a cat', source: 'messages[4].content' }], source: 'messages[4]' }],
      },
    ]);
  });

  it('maps the parameters, names them as the client did, and keeps the rest unmodelled and the body for pass-through', () => {
    const request = decodeChatRequest(body);

    expect(request).toMatchObject({
      model: 'smart',
      tools: [{ type: 'function', name: 'lookup', description: 'Look up', parameters: { type: 'object' }, strict: true, cache: { type: 'ephemeral' } }],
      toolChoice: { type: 'tool', name: 'lookup' },
      parallelToolCalls: false,
      output: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
      stop: ['END'],
      // max_completion_tokens wins over the deprecated max_tokens, as OpenAI treats them.
      maxOutputTokens: 200,
      temperature: 0.2,
      topP: 0.9,
      seed: 7,
      reasoning: { effort: 'none' },
      user: 'user-42',
      metadata: { feature: 'search' },
      stream: true,
      unmodelled: { logprobs: true },
      paramNames: { maxOutputTokens: 'max_completion_tokens', reasoning: 'reasoning_effort', output: 'response_format' },
      native: { protocol: 'openai-chat', body },
    });
  });

  it('takes reasoning_content as plain reasoning when no signed blocks came back', () => {
    const request = decodeChatRequest({ model: 'm', messages: [{ role: 'assistant', content: null, reasoning_content: 'hmm' }] });

    expect(request.messages[0]).toEqual({ role: 'assistant', source: 'messages[0]', content: [{ type: 'reasoning', text: 'hmm', source: 'messages[0].reasoning_content' }] });
    expect(request.paramNames.maxOutputTokens).toBe('max_tokens');
  });
});

describe('canonical answer → Chat Completions', () => {
  const completion: CanonicalCompletion = {
    id: 'msg_1',
    model: 'claude-sonnet-4-5-20250929',
    content: [
      { type: 'reasoning', text: 'Think.', state: { format: 'anthropic', signature: 'sig' } },
      { type: 'reasoning', text: '', state: { format: 'anthropic-redacted', data: 'cmVk' } },
      { type: 'text', text: 'Calling ' },
      { type: 'text', text: 'now.' },
      { type: 'tool_call', id: 'toolu_1', name: 'lookup', kind: 'function', arguments: '{}', thoughtSignature: 'gem' },
    ],
    finishReason: 'tool_calls',
    alternatives: [{ content: [{ type: 'text', text: 'Other answer.' }], finishReason: 'stop' }],
    usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100, cacheWriteTokens: 0, reasoningTokens: 12 },
  };

  it('encodes a completion with reasoning_content, thinking_blocks, tool_calls, every answer and usage, schema-valid', () => {
    const encoded = encodeChatCompletion(completion, identity);

    assertOpenAiSchema('CreateChatCompletionResponse', encoded);
    expect(encoded).toEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Calling now.',
            refusal: null,
            reasoning_content: 'Think.',
            thinking_blocks: [
              { type: 'thinking', thinking: 'Think.', signature: 'sig' },
              { type: 'redacted_thinking', data: 'cmVk' },
            ],
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{}' }, extra_content: { google: { thought_signature: 'gem' } } }],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
        { index: 1, message: { role: 'assistant', content: 'Other answer.', refusal: null }, finish_reason: 'stop', logprobs: null },
      ],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 30,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 12 },
      },
    });
  });

  it('gives content null for an answer that only calls tools, as OpenAI does', () => {
    const encoded = encodeChatCompletion({ content: [{ type: 'tool_call', id: 'c', name: 'f', kind: 'function', arguments: '{}' }], finishReason: 'tool_calls' }, identity);

    expect(encoded.choices[0]?.message.content).toBeNull();
    expect(encoded).toMatchObject({ id: 'chatcmpl-req1', model: 'claude-sonnet-4-5' });
  });

  it('encodes stream events as schema-valid chunks: role first, tool call id and name once, thinking block whole, usage last', () => {
    const events: CanonicalStreamEvent[] = [
      { type: 'start', id: 'msg_1' },
      { type: 'reasoning', text: 'Th' },
      { type: 'reasoning', text: 'ink.' },
      { type: 'reasoning_state', text: 'Think.', state: { format: 'anthropic', signature: 'sig' } },
      { type: 'text', text: 'Hi' },
      { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'lookup', kind: 'function' },
      { type: 'tool_call_delta', index: 0, arguments: '{"q":' },
      { type: 'tool_call_delta', index: 0, arguments: '"x"}' },
      { type: 'usage', usage: { inputTokens: 10, outputTokens: 5 } },
      { type: 'text', text: 'second answer', choice: 1 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'finish', reason: 'stop', choice: 1 },
    ];
    const encoder = new ChatChunkEncoder(identity);
    const chunks: ChatCompletionChunk[] = [...events.flatMap((event) => encoder.encode(event)), ...encoder.end()];

    for (const chunk of chunks) assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
    expect(chunks.every((chunk) => chunk.id === 'msg_1' && chunk.created === identity.created)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices.map((choice) => [choice.index, choice.delta, choice.finish_reason]))).toEqual([
      [[0, { role: 'assistant', content: '', refusal: null }, null]],
      [[0, { reasoning_content: 'Th' }, null]],
      [[0, { reasoning_content: 'ink.' }, null]],
      [[0, { thinking_blocks: [{ type: 'thinking', thinking: 'Think.', signature: 'sig' }] }, null]],
      [[0, { content: 'Hi' }, null]],
      [[0, { tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '' } }] }, null]],
      [[0, { tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }, null]],
      [[0, { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }, null]],
      [[1, { content: 'second answer' }, null]],
      [[0, {}, 'tool_calls']],
      [[1, {}, 'stop']],
      [],
    ]);
    expect(chunks[chunks.length - 1]?.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });
});

describe('the chat SSE stream encoder', () => {
  const decoder = new TextDecoder();
  const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}): ChatCompletionChunk =>
    ({ id: '', object: 'chat.completion.chunk', created: 0, model: '', choices: [{ index: 0, delta, finish_reason: null }], ...extra }) as ChatCompletionChunk;

  it('forwards the usage the upstream reported unchanged, last, and counts the content it sent', () => {
    const encoder = new ChatStreamEncoder(identity, true);
    const reported = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 } };
    const frames = [chunk({ role: 'assistant', content: 'Hel' }), chunk({ content: 'lo' }), { ...chunk({}), choices: [], usage: reported }].map((c) => encoder.encode(c as ChatCompletionChunk));

    expect(frames.map((frame) => frame && decoder.decode(frame))).toEqual([
      expect.stringContaining('"content":"Hel"'),
      expect.stringContaining('"content":"lo"'),
      undefined, // the usage is held back for the end
    ]);
    expect(encoder.completionChars).toBe(5);
    expect(encoder.usage).toEqual({ inputTokens: 3, outputTokens: 2, cachedInputTokens: 0 });
    const closing = encoder.finish(encoder.usage!).map((frame) => decoder.decode(frame));
    expect(JSON.parse(closing[0]!.slice('data: '.length))).toMatchObject({ id: 'chatcmpl-req1', choices: [], usage: reported });
    expect(closing[1]).toBe('data: [DONE]\n\n');
  });

  it('sends an estimated usage when the upstream reported none, only [DONE] when the client did not ask, and errors as data events', () => {
    const asked = new ChatStreamEncoder(identity, true);
    asked.encode(chunk({ content: 'x' }));
    const estimated = asked.finish({ inputTokens: 7, outputTokens: 1 }).map((frame) => decoder.decode(frame));
    expect(JSON.parse(estimated[0]!.slice('data: '.length)).usage).toEqual({ prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 });

    const notAsked = new ChatStreamEncoder(identity, false);
    expect(notAsked.finish({ inputTokens: 7, outputTokens: 1 }).map((frame) => decoder.decode(frame))).toEqual(['data: [DONE]\n\n']);
    const failure = decoder.decode(
      notAsked.fail(new GatewayError({ status: 504, type: 'timeout_error', code: 'upstream_idle_timeout', message: 'idle', verdict: 'retryable', errorClass: 'timeout' })),
    );
    expect(failure).toBe('data: {"error":{"message":"idle","type":"timeout_error","param":null,"code":"upstream_idle_timeout"}}\n\n');
  });
});
