import type { ChatCompletionRequest, ToolDefinition } from '../../../../functions/core/protocols/openai-chat/types';
import { buildConverseInput } from '../../../../functions/providers/bedrock/request';
import { chatCall, gatewayErrorOf } from '../../../helpers/providers/bedrock/bedrock-test-kit';

const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const SETTINGS = { type: 'bedrock' } as const;

function converse(request: Partial<ChatCompletionRequest>, options: { model?: string; maxOutputTokens?: number; drop?: boolean } = {}) {
  const call = chatCall(request, { model: options.model ?? CLAUDE, maxOutputTokens: options.maxOutputTokens });
  return buildConverseInput(call, options.drop ? { ...SETTINGS, dropUnsupportedParams: true } : SETTINGS);
}

// Shapes from llama-stack-verifications-chat_completion.yaml.
const GET_WEATHER: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get current temperature for a given location.',
    parameters: { additionalProperties: false, properties: { location: { description: 'City and country e.g. Bogotá, Colombia', type: 'string' } }, required: ['location'], type: 'object' },
  },
};
const WEATHER_MESSAGES: ChatCompletionRequest['messages'] = [
  { role: 'system', content: 'You are a helpful assistant that can use tools to get information.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];
const CALENDAR_SCHEMA = {
  properties: { date: { title: 'Date', type: 'string' }, name: { title: 'Name', type: 'string' }, participants: { items: { type: 'string' }, title: 'Participants', type: 'array' } },
  required: ['name', 'date', 'participants'],
  title: 'CalendarEvent',
  type: 'object',
};

describe('OpenAI chat request → Converse input', () => {
  it('maps system, user and the inference parameters', () => {
    const { input } = converse(
      { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] }, { role: 'user', content: 'Which planet do humans live on?' }], temperature: 0.2, top_p: 0.9, stop: 'END' },
      { maxOutputTokens: 512 },
    );

    expect(input).toEqual({
      modelId: CLAUDE,
      system: [{ text: 'Be brief.' }, { text: 'Answer in English.' }],
      messages: [{ role: 'user', content: [{ text: 'Which planet do humans live on?' }] }],
      inferenceConfig: { maxTokens: 512, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });
  });

  it('maps tools to toolSpec with the JSON schema as inputSchema', () => {
    const { input } = converse({ messages: WEATHER_MESSAGES, tools: [GET_WEATHER, { type: 'function', function: { name: 'now' } }] });

    expect(input.toolConfig).toEqual({
      tools: [
        { toolSpec: { name: 'get_weather', description: 'Get current temperature for a given location.', inputSchema: { json: GET_WEATHER.function.parameters } } },
        { toolSpec: { name: 'now', inputSchema: { json: { type: 'object', properties: {} } } } },
      ],
    });
  });

  it.each([
    ['auto', undefined],
    ['required', { any: {} }],
    [{ type: 'function', function: { name: 'get_weather' } }, { tool: { name: 'get_weather' } }],
  ] as const)('maps tool_choice %j to toolChoice %j', (toolChoice, expected) => {
    const { input } = converse({ messages: WEATHER_MESSAGES, tools: [GET_WEATHER], tool_choice: toolChoice });

    expect(input.toolConfig?.toolChoice).toEqual(expected);
  });

  it("leaves tools out for tool_choice 'none'", () => {
    expect(converse({ messages: WEATHER_MESSAGES, tools: [GET_WEATHER], tool_choice: 'none' }).input.toolConfig).toBeUndefined();
  });

  it("refuses tool_choice 'none' once the conversation holds tool calls (Converse then needs the tools), unless dropping", async () => {
    const messages: ChatCompletionRequest['messages'] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    ];

    expect(await gatewayErrorOf(() => converse({ messages, tools: [GET_WEATHER], tool_choice: 'none' }))).toMatchObject({ status: 400, param: 'tool_choice' });
    expect(converse({ messages, tools: [GET_WEATHER], tool_choice: 'none' }, { drop: true }).input.toolConfig?.tools).toHaveLength(1);
  });

  it('rejects tool_choice naming an unknown tool or without tools', async () => {
    expect(await gatewayErrorOf(() => converse({ tools: [GET_WEATHER], tool_choice: { type: 'function', function: { name: 'other' } } }))).toMatchObject({ status: 400, param: 'tool_choice' });
    expect(await gatewayErrorOf(() => converse({ tool_choice: 'required' }))).toMatchObject({ status: 400, param: 'tool_choice' });
  });

  it('decodes data-URL images into bytes and refuses https URLs naming the part', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const { input } = converse({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } }] }],
    });

    expect(input.messages).toEqual([{ role: 'user', content: [{ text: 'What is in this image?' }, { image: { format: 'png', source: { bytes: new Uint8Array(png) } } }] }]);
    const error = await gatewayErrorOf(() =>
      converse({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/wikipedia/commons/f/f7/Llamas.jpg' } }] }] }),
    );
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'messages[0].content[1].image_url' });
  });

  it('passes s3:// images as an S3 location', () => {
    const { input } = converse({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 's3://bucket/cat.JPG' } }] }] });

    expect(input.messages?.[0]?.content).toEqual([{ image: { format: 'jpeg', source: { s3Location: { uri: 's3://bucket/cat.JPG' } } } }]);
  });

  it('maps a multi-turn tool conversation: toolUse on the assistant, toolResults merged into one user turn', () => {
    const { input } = converse({
      messages: [
        { role: 'user', content: "What's the weather like in San Francisco and Paris?" },
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: "{'response': '70 degrees and foggy'}" },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'sunny' }] },
        { role: 'user', content: 'And tomorrow?' },
      ],
      tools: [GET_WEATHER],
    });

    expect(input.messages).toEqual([
      { role: 'user', content: [{ text: "What's the weather like in San Francisco and Paris?" }] },
      {
        role: 'assistant',
        content: [
          { text: 'Checking both.' },
          { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { location: 'San Francisco, CA' } } },
          { toolUse: { toolUseId: 'call_2', name: 'get_weather', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'call_1', content: [{ text: "{'response': '70 degrees and foggy'}" }] } },
          { toolResult: { toolUseId: 'call_2', content: [{ text: 'sunny' }] } },
          { text: 'And tomorrow?' },
        ],
      },
    ]);
  });

  it('rejects tool-call arguments that are not a JSON object, naming them', async () => {
    const error = await gatewayErrorOf(() =>
      converse({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1' } }] }] }),
    );

    expect(error).toMatchObject({ status: 400, param: 'messages[1].tool_calls[0].function.arguments' });
  });

  const CACHED_MESSAGES: ChatCompletionRequest['messages'] = [
    { role: 'system', content: [{ type: 'text', text: 'Long instructions', cache_control: { type: 'ephemeral' } }] },
    { role: 'user', content: [{ type: 'text', text: 'Long document', cache_control: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'Question' }] },
  ] as ChatCompletionRequest['messages'];

  it.each(['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'amazon.nova-pro-v1:0', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3'])(
    'turns cache_control parts into cache points after them on %s (a caching model, or an ARN that names no family)',
    (model) => {
      const { input } = converse({ messages: CACHED_MESSAGES }, { model });

      expect(input.system).toEqual([{ text: 'Long instructions' }, { cachePoint: { type: 'default' } }]);
      expect(input.messages?.[0]?.content).toEqual([{ text: 'Long document' }, { cachePoint: { type: 'default', ttl: '1h' } }, { text: 'Question' }]);
    },
  );

  it.each(['us.meta.llama3-3-70b-instruct-v1:0', 'us.deepseek.r1-v1:0', CLAUDE])('leaves cache hints out for %s, where Bedrock refuses a cache point and would fail the call', (model) => {
    const { input } = converse({ messages: CACHED_MESSAGES }, { model });

    expect(input.system).toEqual([{ text: 'Long instructions' }]);
    expect(input.messages?.[0]?.content).toEqual([{ text: 'Long document' }, { text: 'Question' }]);
  });

  it('answers json_schema through a forced tool whose input schema is the response schema', () => {
    const { input, responseTool } = converse({
      messages: [{ role: 'system', content: 'Extract the event information.' }, { role: 'user', content: 'Alice and Bob are going to a science fair on Friday.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'calendar_event', schema: CALENDAR_SCHEMA } },
    });

    expect(responseTool).toBe('calendar_event');
    expect(input.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'calendar_event', description: 'Give your final answer by calling this tool; its input is the answer, a JSON object.', inputSchema: { json: CALENDAR_SCHEMA } } }],
      toolChoice: { tool: { name: 'calendar_event' } },
    });
  });

  it('with client tools and json_schema, offers both and requires one of them', () => {
    const { input } = converse({ tools: [GET_WEATHER], response_format: { type: 'json_schema', json_schema: { name: 'report', description: 'The report', schema: { type: 'object' } } } });

    expect(input.toolConfig?.tools?.map((tool) => tool.toolSpec?.name)).toEqual(['get_weather', 'report']);
    expect(input.toolConfig?.toolChoice).toEqual({ any: {} });
  });

  it('answers json_object through a forced tool taking any object', () => {
    const { input, responseTool } = converse({ response_format: { type: 'json_object' } });

    expect(responseTool).toBe('json_object');
    expect(input.toolConfig?.tools?.[0]?.toolSpec?.inputSchema).toEqual({ json: { type: 'object' } });
  });

  it.each([
    ['minimal', 4000, 1024],
    ['low', 4000, 2048],
    ['medium', 16000, 8192],
    ['high', 64000, 16384],
    ['xhigh', 64000, 32768],
    ['high', 8000, 7999],
  ] as const)('maps reasoning_effort %s (max tokens %i) to a Claude thinking budget of %i', (effort, maxOutputTokens, budget) => {
    const { input } = converse({ reasoning_effort: effort }, { maxOutputTokens });

    expect(input.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: budget } });
  });

  it("sends no thinking for reasoning_effort 'none', on Claude and on models that cannot reason", () => {
    expect(converse({ reasoning_effort: 'none' }, { maxOutputTokens: 4000 }).input.additionalModelRequestFields).toBeUndefined();
    expect(converse({ reasoning_effort: 'none' }, { model: 'amazon.nova-pro-v1:0' }).input.additionalModelRequestFields).toBeUndefined();
  });

  it.each([
    ['a non-Claude model', { reasoning_effort: 'low' }, { model: 'amazon.nova-pro-v1:0' }, 'reasoning_effort'],
    ['too few max tokens', { reasoning_effort: 'low' }, { maxOutputTokens: 1000 }, 'max_tokens'],
    ['a forced tool', { reasoning_effort: 'low', response_format: { type: 'json_object' } }, { maxOutputTokens: 4000 }, 'reasoning_effort'],
  ] as const)('rejects reasoning_effort with %s, or drops it when configured', async (_case, request, options, param) => {
    expect(await gatewayErrorOf(() => converse(request as Partial<ChatCompletionRequest>, options))).toMatchObject({ status: 400, param });
    expect(converse(request as Partial<ChatCompletionRequest>, { ...options, drop: true }).input.additionalModelRequestFields).toBeUndefined();
  });

  it.each([
    ['n', { n: 2 }],
    ['seed', { seed: 7 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 2 }],
    ['presence_penalty', { presence_penalty: 0.5 }],
    ['frequency_penalty', { frequency_penalty: 0.5 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['parallel_tool_calls', { parallel_tool_calls: false }],
  ])('answers 400 naming unsupported %s, unless dropUnsupportedParams', async (param, request) => {
    expect(await gatewayErrorOf(() => converse(request))).toMatchObject({ status: 400, type: 'invalid_request_error', param });
    expect(converse(request, { drop: true }).input).toEqual({ modelId: CLAUDE, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] });
  });

  it('accepts harmless defaults of unsupported parameters', () => {
    expect(converse({ n: 1, presence_penalty: 0, frequency_penalty: 0, parallel_tool_calls: true, user: 'u', metadata: { a: 'b' } }).input).toEqual({
      modelId: CLAUDE,
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
    });
  });

  it('merges consecutive messages of the same role', () => {
    const { input } = converse({ messages: [{ role: 'user', content: 'one' }, { role: 'user', content: 'two' }, { role: 'assistant', content: 'three' }, { role: 'assistant', content: '' }] });

    expect(input.messages).toEqual([
      { role: 'user', content: [{ text: 'one' }, { text: 'two' }] },
      { role: 'assistant', content: [{ text: 'three' }] },
    ]);
  });
});
