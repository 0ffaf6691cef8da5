import { buildAnthropicRequest } from '../../../../functions/providers/anthropic/request';
import { claudeMaxOutputTokens, DEFAULT_MAX_OUTPUT_TOKENS } from '../../../../functions/providers/anthropic/models';
import { makeCall, makeContext } from '../../../helpers/providers/anthropic/call-context';
import { body, weatherTool } from '../../../helpers/providers/anthropic/request-helpers';

describe('Anthropic request translation', () => {
  it('sends system messages as top-level system blocks with the default URL and headers', () => {
    const upstream = buildAnthropicRequest(
      makeCall({ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Hi' }] }),
      makeContext(),
    );

    expect(upstream.url).toBe('https://api.anthropic.com/v1/messages');
    expect(upstream.headers).toEqual({ 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' });
    expect(upstream.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1000,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  it('honours baseUrl (host root) and anthropicVersion from the provider settings', () => {
    const upstream = buildAnthropicRequest(makeCall({}), makeContext({ baseUrl: 'http://127.0.0.1:9/proxy/', anthropicVersion: '2025-01-01' }));

    expect(upstream.url).toBe('http://127.0.0.1:9/proxy/v1/messages');
    expect(upstream.headers['anthropic-version']).toBe('2025-01-01');
  });

  it('translates https and data URL images (llama-stack test_chat_image)', () => {
    const result = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/wikipedia/commons/f/f7/Llamas.jpg' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });

    expect(result.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this image?' },
          { type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/wikipedia/commons/f/f7/Llamas.jpg' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
    ]);
  });

  it('translates tools (llama-stack test_tool_calling) and leaves tool_choice at the default', () => {
    const result = body({
      messages: [
        { role: 'system', content: 'You are a helpful assistant that can use tools to get information.' },
        { role: 'user', content: "What's the weather like in San Francisco?" },
      ],
      tools: [weatherTool],
    });

    expect(result.tools).toEqual([
      { name: 'get_weather', description: 'Get current temperature for a given location.', input_schema: weatherTool.function.parameters },
    ]);
    expect(result).not.toHaveProperty('tool_choice');
  });

  it.each([
    ['auto', undefined, { type: 'auto' }],
    ['none', undefined, { type: 'none' }],
    ['required', undefined, { type: 'any' }],
    [{ type: 'function', function: { name: 'get_weather' } }, undefined, { type: 'tool', name: 'get_weather' }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    ['required', false, { type: 'any', disable_parallel_tool_use: true }],
    ['none', false, { type: 'none' }],
  ] as const)('maps tool_choice %j with parallel_tool_calls %j', (choice, parallel, expected) => {
    const result = body({ tools: [weatherTool], tool_choice: choice, parallel_tool_calls: parallel });

    expect(result.tool_choice).toEqual(expected);
  });

  it('merges a multi-turn tool conversation into alternating turns, tool results first', () => {
    const result = body({
      messages: [
        { role: 'developer', content: 'Todays date is 2025-03-01.' },
        { role: 'user', content: 'Do i have any meetings on March 3rd at 10 am?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_event', arguments: '{"date":"2025-03-03","time":"10:00"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: "{'response': 'No events found for 2025-03-03 at 10:00'}" },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '10:00' }] },
        { role: 'user', content: 'Yes or no?' },
        { role: 'user', content: 'Only one word.' },
      ],
    });

    expect(result.system).toEqual([{ type: 'text', text: 'Todays date is 2025-03-01.' }]);
    expect(result.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Do i have any meetings on March 3rd at 10 am?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_event', input: { date: '2025-03-03', time: '10:00' } },
          { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: "{'response': 'No events found for 2025-03-03 at 10:00'}" },
          // A single text part is sent as a string, as Anthropic documents it; the meaning is the same.
          { type: 'tool_result', tool_use_id: 'call_2', content: '10:00' },
          { type: 'text', text: 'Yes or no?' },
          { type: 'text', text: 'Only one word.' },
        ],
      },
    ]);
  });

  it('puts tool results before user text even when the client sent them after it', () => {
    const result = body({
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'user', content: 'Here is the result:' },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
      ],
    });

    expect((result.messages as Array<{ content: unknown }>)[1]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: '42' },
      { type: 'text', text: 'Here is the result:' },
    ]);
  });

  it('passes cache_control through on system, user, tool result and tool definition', () => {
    const cache = { type: 'ephemeral' as const };
    const result = body({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Long rules', cache_control: cache }] },
        { role: 'user', content: [{ type: 'text', text: 'Long document', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c', content: [{ type: 'text', text: 'sunny', cache_control: cache }] },
      ],
      tools: [{ ...weatherTool, cache_control: cache } as typeof weatherTool],
    });

    expect(result.system).toEqual([{ type: 'text', text: 'Long rules', cache_control: cache }]);
    const messages = result.messages as Array<{ content: unknown[] }>;
    expect(messages[0]?.content).toEqual([{ type: 'text', text: 'Long document', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    expect(messages[2]?.content).toEqual([{ type: 'tool_result', tool_use_id: 'c', content: [{ type: 'text', text: 'sunny', cache_control: cache }] }]);
    expect((result.tools as unknown[])[0]).toMatchObject({ name: 'get_weather', cache_control: cache });
  });

  it('translates stop, temperature, top_p, user and stream', () => {
    const result = body({ stop: 'END', temperature: 0.2, top_p: 0.9, user: 'user-42', stream: true });

    expect(result).toMatchObject({ stop_sequences: ['END'], temperature: 0.2, top_p: 0.9, metadata: { user_id: 'user-42' }, stream: true });
    expect(body({ stop: ['a', 'b'] }).stop_sequences).toEqual(['a', 'b']);
  });

  it("injects the model's output limit as max_tokens when the call carries none", () => {
    const upstream = buildAnthropicRequest(makeCall({}, { maxOutputTokens: undefined }), makeContext());

    expect(upstream.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 64000 });
  });

  it.each([
    ['claude-sonnet-4-5-20250929', 64000],
    ['claude-haiku-4-5', 64000],
    ['claude-opus-4-1-20250805', 32000],
    ['claude-opus-4-20250514', 32000],
    ['claude-3-5-haiku-latest', 8192],
    ['claude-3-haiku-20240307', 4096],
    ['claude-next-unknown', DEFAULT_MAX_OUTPUT_TOKENS],
  ])('knows the output limit of %s', (model, limit) => {
    expect(claudeMaxOutputTokens(model)).toEqual({ tokens: limit, documented: model !== 'claude-next-unknown' });
  });
});
