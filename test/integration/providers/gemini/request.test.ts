import { chatVia } from '../../../helpers/chat-protocol';
import { GatewayError } from '../../../../functions/core/errors';
import type { ChatCompletionRequest } from '../../../../functions/core/protocols/openai-chat/types';
import { geminiProvider } from '../../../../functions/providers/gemini';
import { buildGeminiRequest } from '../../../../functions/providers/gemini/request';
import { sendJson, startFakeUpstream } from '../../../helpers/fake-upstream';
import { callContext, chatCall } from '../../../helpers/providers/gemini/harness';

const ctx = callContext('http://127.0.0.1:9');
const body = (request: Partial<ChatCompletionRequest>, options?: Parameters<typeof chatCall>[1]): Record<string, unknown> =>
  buildGeminiRequest(chatCall(request, options), ctx).body as Record<string, unknown>;

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('Gemini request translation', () => {
  it('sends the API key header to :streamGenerateContent?alt=sse under baseUrl', async () => {
    const answer = { candidates: [{ content: { parts: [{ text: 'hi' }] }, finishReason: 'STOP' }] };
    const upstream = await startFakeUpstream((req, res) => {
      if (!req.url.endsWith('alt=sse')) return sendJson(res, 200, answer);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify(answer)}\r\n\r\n`);
    });
    try {
      const result = await chatVia(geminiProvider, chatCall({}, { stream: true }), callContext(`${upstream.url}/`));
      if (result.kind === 'stream') for await (const _chunk of result.chunks) void _chunk;
      await chatVia(geminiProvider, chatCall({}), callContext(upstream.url));

      expect(upstream.requests.map((r) => [r.method, r.url, r.headers['x-goog-api-key']])).toEqual([
        ['POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', 'test-gemini-key'],
        ['POST', '/v1beta/models/gemini-2.5-flash:generateContent', 'test-gemini-key'],
      ]);
    } finally {
      await upstream.close();
    }
  });

  it('translates the tool-calling case: system instruction, cleaned function schema, named tool_choice', () => {
    const out = body({
      messages: [
        { role: 'system', content: 'You are a helpful assistant that can use tools to get information.' },
        { role: 'user', content: "What's the weather like in San Francisco?" },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Get current temperature for a given location.',
            strict: true,
            parameters: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              additionalProperties: false,
              properties: { location: { description: 'City and country e.g. Bogotá, Colombia', type: 'string', format: 'email' } },
              required: ['location'],
              type: 'object',
            },
          },
        },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });

    expect(out).toEqual({
      systemInstruction: { parts: [{ text: 'You are a helpful assistant that can use tools to get information.' }] },
      contents: [{ role: 'user', parts: [{ text: "What's the weather like in San Francisco?" }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Get current temperature for a given location.',
              parameters: { type: 'object', properties: { location: { description: 'City and country e.g. Bogotá, Colombia', type: 'string' } }, required: ['location'] },
            },
            { name: 'get_time' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    });
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
  ] as const)('maps tool_choice %s', (choice, config) => {
    expect(body({ tool_choice: choice }).toolConfig).toEqual({ functionCallingConfig: config });
  });

  it('translates images: data URLs to inlineData, https URLs to fileData with a guessed MIME type', () => {
    const out = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/wikipedia/commons/f/f7/Llamas%2C_Vernagt-Stausee%2C_Italy.jpg' } },
            { type: 'image_url', image_url: { url: 'https://example.com/chart.PNG?size=large' } },
            { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklGRg==' } },
          ],
        },
      ],
    });

    expect(out.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'What is in this image?' },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://upload.wikimedia.org/wikipedia/commons/f/f7/Llamas%2C_Vernagt-Stausee%2C_Italy.jpg' } },
          { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/chart.PNG?size=large' } },
          { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } },
        ],
      },
    ]);
  });

  it('rejects an image URL that is neither data: nor http(s), naming the part', () => {
    const error = thrown(() => body({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] }));

    expect(error).toMatchObject({ status: 400, param: 'messages[0].content[0].image_url.url' });
  });

  it('translates json_schema structured output, inlining $defs references', () => {
    const out = body({
      messages: [
        { role: 'system', content: 'You are a helpful math tutor.' },
        { role: 'user', content: 'how can I solve 8x + 7 = -23' },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'math_reasoning',
          strict: true,
          schema: {
            $defs: {
              Step: { properties: { explanation: { title: 'Explanation', type: 'string' }, output: { title: 'Output', type: ['string', 'null'] } }, required: ['explanation', 'output'], title: 'Step', type: 'object', additionalProperties: false },
            },
            properties: { final_answer: { title: 'Final Answer', type: 'string' }, steps: { items: { $ref: '#/$defs/Step' }, title: 'Steps', type: 'array' } },
            required: ['steps', 'final_answer'],
            title: 'MathReasoning',
            type: 'object',
            additionalProperties: false,
          },
        },
      },
    });

    expect(out.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: {
        properties: {
          final_answer: { title: 'Final Answer', type: 'string' },
          steps: {
            items: { properties: { explanation: { title: 'Explanation', type: 'string' }, output: { title: 'Output', type: 'string', nullable: true } }, required: ['explanation', 'output'], title: 'Step', type: 'object' },
            title: 'Steps',
            type: 'array',
          },
        },
        required: ['steps', 'final_answer'],
        title: 'MathReasoning',
        type: 'object',
      },
    });
  });

  it('sends json_object as responseMimeType only', () => {
    expect(body({ response_format: { type: 'json_object' } }).generationConfig).toEqual({ responseMimeType: 'application/json' });
  });

  it('rejects a recursive schema with a 400 naming the parameter', () => {
    const schema = { $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } }, $ref: '#/$defs/Node' };
    const error = thrown(() => body({ response_format: { type: 'json_schema', json_schema: { name: 'tree', schema } } }));

    expect(error).toMatchObject({ status: 400, param: 'response_format.json_schema.schema' });
  });

  it('translates a multi-turn conversation with parallel tool calls and their results', () => {
    const out = body(
      {
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
              { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_a', content: '{"temperature":21}' },
          { role: 'tool', tool_call_id: 'call_b', content: "{'response': '70 degrees and foggy'}" },
          { role: 'assistant', content: 'Paris is 21°C; Rome is foggy.' },
          { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
        ],
      },
      { model: 'gemini-2.0-flash' },
    );

    expect(out.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris' } } }, { functionCall: { name: 'get_weather', args: {} } }],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temperature: 21 } } },
          { functionResponse: { name: 'get_weather', response: { output: "{'response': '70 degrees and foggy'}" } } },
        ],
      },
      { role: 'model', parts: [{ text: 'Paris is 21°C; Rome is foggy.' }] },
      { role: 'user', parts: [{ text: 'Thanks' }] },
    ]);
  });

  it('returns thought signatures to Gemini 3 and marks calls without one as unvalidated', () => {
    const call = (id: string, signature?: string) => ({
      id,
      type: 'function' as const,
      function: { name: 'f', arguments: '{}' },
      ...(signature ? { extra_content: { google: { thought_signature: signature } } } : {}),
    });
    const out = body(
      {
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', tool_calls: [call('c1', 'c2lnLTE='), call('c2')] },
          { role: 'tool', tool_call_id: 'c1', content: '{}' },
          { role: 'tool', tool_call_id: 'c2', content: '{}' },
          { role: 'assistant', tool_calls: [call('c3')] },
          { role: 'tool', tool_call_id: 'c3', content: '{}' },
        ],
      },
      { model: 'gemini-3-pro-preview' },
    );
    const modelParts = (out.contents as Array<{ role: string; parts: Array<Record<string, unknown>> }>).filter((c) => c.role === 'model').map((c) => c.parts);

    expect(modelParts.map((parts) => parts.map((p) => p.thoughtSignature))).toEqual([['c2lnLTE=', undefined], ['skip_thought_signature_validator']]);
  });

  it('rejects a tool result whose id matches no earlier tool call', () => {
    const error = thrown(() => body({ messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] }));

    expect(error).toMatchObject({ status: 400, param: 'messages[0].tool_call_id' });
  });

  it('maps sampling, limits, stop, n, seed and reasoning_effort into generationConfig', () => {
    const out = body(
      { temperature: 0.2, top_p: 0.9, stop: 'END', n: 2, seed: 7, reasoning_effort: 'low', presence_penalty: 0.5 },
      { maxOutputTokens: 512 },
    );

    expect(out.generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 512,
      stopSequences: ['END'],
      candidateCount: 2,
      seed: 7,
      presencePenalty: 0.5,
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
    });
  });

  it.each([
    ['none', 'gemini-2.5-flash', { thinkingBudget: 0 }],
    ['none', 'gemini-2.5-pro', { thinkingBudget: 128, includeThoughts: true }],
    ['minimal', 'gemini-2.5-flash', { thinkingBudget: 128, includeThoughts: true }],
    ['medium', 'gemini-2.5-flash', { thinkingBudget: 8192, includeThoughts: true }],
    ['high', 'gemini-2.5-pro', { thinkingBudget: 24576, includeThoughts: true }],
    ['xhigh', 'gemini-2.5-flash', { thinkingBudget: 24576, includeThoughts: true }],
    ['xhigh', 'gemini-2.5-pro', { thinkingBudget: 32768, includeThoughts: true }],
  ] as const)('maps reasoning_effort %s on %s to a thinking budget', (effort, model, thinkingConfig) => {
    expect(buildGeminiRequest(chatCall({ reasoning_effort: effort }, { model }), ctx).body).toMatchObject({ generationConfig: { thinkingConfig } });
  });

  it("accepts reasoning_effort 'none' on a model without thinking (it asks for nothing)", () => {
    expect(buildGeminiRequest(chatCall({ reasoning_effort: 'none' }, { model: 'gemini-2.0-flash' }), ctx).body).not.toHaveProperty('generationConfig');
  });

  it('answers 400 for reasoning_effort on a model without thinking, or drops it when allowed', () => {
    const call = chatCall({ reasoning_effort: 'high' }, { model: 'gemini-2.0-flash' });

    expect(thrown(() => buildGeminiRequest(call, ctx))).toMatchObject({ status: 400, param: 'reasoning_effort', code: 'unsupported_parameter' });
    expect(buildGeminiRequest(call, callContext('http://127.0.0.1:9', { dropUnsupportedParams: true })).body).not.toHaveProperty('generationConfig');
  });

  it('sends a system-only conversation as the user turn (Gemini rejects empty contents)', () => {
    expect(body({ messages: [{ role: 'developer', content: 'Say hi.' }] })).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Say hi.' }] }] });
  });

  it.each([
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['parallel_tool_calls', { parallel_tool_calls: false }],
    ['audio', { audio: { voice: 'alloy', format: 'wav' } }],
  ])('answers 400 naming %s, or drops it when dropUnsupportedParams is set', (param, extra) => {
    const error = thrown(() => body(extra));
    const dropped = buildGeminiRequest(chatCall(extra), callContext('http://127.0.0.1:9', { dropUnsupportedParams: true })).body;

    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param, code: 'unsupported_parameter' });
    expect(dropped).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
  });

  it('accepts the no-op values of parameters it cannot honour', () => {
    expect(() => body({ logprobs: false, parallel_tool_calls: true, modalities: ['text'] })).not.toThrow();
  });

  it.each([
    ['gemini-2.5-flash', 65536],
    ['models/gemini-2.5-pro', 65536],
    ['gemini-2.5-flash-image-preview', 32768],
    ['gemini-2.0-flash-001', 8192],
    ['gemini-3-pro-preview', 65536],
    ['some-future-model', 8192],
  ])('knows the output limit of %s', (model, limit) => {
    expect(geminiProvider.maxOutputTokens?.(model)).toEqual({ tokens: limit, documented: model !== 'some-future-model' });
  });
});
