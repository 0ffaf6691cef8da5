import type { ChatCompletionRequest } from '../../../../functions/core/protocols/openai-chat/types';
import { body, weatherTool } from '../../../helpers/providers/anthropic/request-helpers';

describe('Anthropic structured output and reasoning', () => {
  const calendarSchema = {
    type: 'object',
    title: 'CalendarEvent',
    properties: { name: { type: 'string' }, date: { type: 'string' }, participants: { type: 'array', items: { type: 'string' } } },
    required: ['name', 'date', 'participants'],
  };

  it('forces a tool whose input schema is the json_schema (llama-stack calendar case)', () => {
    const result = body({
      messages: [
        { role: 'system', content: 'Extract the event information.' },
        { role: 'user', content: 'Alice and Bob are going to a science fair on Friday.' },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'calendar_event', schema: calendarSchema } },
    });

    expect(result.tools).toEqual([
      { name: 'calendar_event', description: 'Respond with a JSON object that matches this schema. Its input is your answer.', input_schema: calendarSchema },
    ]);
    expect(result.tool_choice).toEqual({ type: 'tool', name: 'calendar_event' });
  });

  it('lets the model choose between its tools and the JSON answer when tools are present', () => {
    const result = body({ tools: [weatherTool], response_format: { type: 'json_object' } });

    expect((result.tools as Array<{ name: string }>).map((tool) => tool.name)).toEqual(['get_weather', 'json_object']);
    expect(result.tool_choice).toEqual({ type: 'any' });
  });

  it('rejects a response_format name that collides with a tool', () => {
    expect(() => body({ tools: [weatherTool], response_format: { type: 'json_schema', json_schema: { name: 'get_weather' } } })).toThrow(
      expect.objectContaining({ status: 400, param: 'response_format.json_schema.name' }),
    );
  });

  it.each([
    ['minimal', 1024],
    ['low', 2048],
    ['medium', 8192],
    ['high', 16384],
    ['xhigh', 32768],
  ] as const)('maps reasoning_effort %s to a thinking budget of %d', (effort, budget) => {
    expect(body({ reasoning_effort: effort }, {}, 64000).thinking).toEqual({ type: 'enabled', budget_tokens: budget });
  });

  it("sends no thinking for reasoning_effort 'none'", () => {
    expect(body({ reasoning_effort: 'none' }, {}, 32000).thinking).toBeUndefined();
  });

  it('keeps the thinking budget below max_tokens and rejects a limit too small to think', () => {
    expect(body({ reasoning_effort: 'high' }, {}, 5000).thinking).toEqual({ type: 'enabled', budget_tokens: 4999 });
    expect(() => body({ reasoning_effort: 'low', max_completion_tokens: 800 }, {}, 800)).toThrow(
      expect.objectContaining({ status: 400, param: 'max_completion_tokens' }),
    );
  });

  it('replays thinking_blocks first in the assistant turn, so thinking continues through a tool loop', () => {
    const thinking = { type: 'thinking', thinking: 'Need the weather.', signature: 'sig-1' };
    const result = body(
      {
        reasoning_effort: 'low',
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: null,
            reasoning_content: 'Need the weather.',
            thinking_blocks: [thinking],
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
          } as ChatCompletionRequest['messages'][number],
          { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
        ],
      },
      {},
      8000,
    );

    expect((result.messages as Array<{ content: unknown[] }>)[1]?.content).toEqual([
      thinking,
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
    ]);
    expect(result.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
  });

  it('leaves thinking off when a tool loop continues from an assistant turn without thinking blocks', () => {
    const result = body(
      {
        reasoning_effort: 'low',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
        ],
      },
      {},
      8000,
    );

    expect(result).not.toHaveProperty('thinking');
  });

  it('offers the JSON tool with auto choice and a system note when thinking forbids forcing it', () => {
    const result = body({ reasoning_effort: 'low', response_format: { type: 'json_object' } }, {}, 8000);

    expect(result.tool_choice).toEqual({ type: 'auto' });
    expect(result.system).toEqual([{ type: 'text', text: 'Give your final answer by calling the `json_object` tool; do not answer in plain text.' }]);
  });

  it.each([
    ['temperature', { reasoning_effort: 'low', temperature: 0.5 }],
    ['top_p', { reasoning_effort: 'low', top_p: 0.5 }],
    ['temperature', { temperature: 1.5 }],
  ] as const)('rejects %s that Anthropic cannot honour, or drops it when configured', (param, request) => {
    expect(() => body(request, {}, 8000)).toThrow(expect.objectContaining({ status: 400, param, code: 'unsupported_parameter' }));
    expect(body(request, { dropUnsupportedParams: true }, 8000)).not.toHaveProperty(param);
  });
});

describe('Anthropic unsupported parameters', () => {
  it.each([
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
    ['presence_penalty', { presence_penalty: 0.5 }],
    ['frequency_penalty', { frequency_penalty: -1 }],
    ['seed', { seed: 7 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
  ])('answers 400 naming %s, unless dropUnsupportedParams', (param, request) => {
    expect(() => body(request)).toThrow(expect.objectContaining({ status: 400, type: 'invalid_request_error', param, code: 'unsupported_parameter' }));
    expect(Object.keys(body(request, { dropUnsupportedParams: true })).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('accepts the harmless defaults n: 1, logprobs: false and zero penalties', () => {
    expect(() => body({ n: 1, logprobs: false, presence_penalty: 0, frequency_penalty: 0 })).not.toThrow();
  });

  it.each([
    ['messages[1].tool_calls[0].function.arguments', { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }],
    ['messages[1].content[0].image_url.url', { role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://example.com/a.png' } }] }],
    ['messages[1].content[0]', { role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }],
  ])('answers 400 naming %s for content Anthropic cannot take', (param, message) => {
    const request = { messages: [{ role: 'user', content: 'Hi' }, message] } as Partial<ChatCompletionRequest>;

    expect(() => body(request)).toThrow(expect.objectContaining({ status: 400, param }));
  });
});
