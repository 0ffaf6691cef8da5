import { createOpenAI } from '@ai-sdk/openai';
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool as agentTool } from '@openai/agents';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { z } from 'zod';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { ok, startScriptedUpstreams, type Responder, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';

// The Responses API as the Vercel AI SDK's default `openai(model)` provider and the OpenAI Agents
// SDK's default model use it, through the gateway to a chat-only OpenAI-compatible upstream.

/** A chat-only upstream that answers with one streamed or whole call of `get_weather`. */
const weatherCall: Responder = (request, res) => {
  const body = request.json as { model: string; stream?: boolean };
  const call = { id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 } }));
    return;
  }
  const chunk = (delta: unknown, finish: string | null = null) => ({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
  const frames = [chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, ...call }] }), chunk({}, 'tool_calls'), { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 } }];
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(frames.map((frame) => `data: ${JSON.stringify(frame)}\n\n`).join('') + 'data: [DONE]\n\n');
};

/** The tool message the second upstream request carried. */
function toolMessageOf(request: unknown): unknown {
  return (request as { messages: Array<{ role: string }> }).messages.find((message) => message.role === 'tool');
}

describe('Responses API clients: the Vercel AI SDK and the OpenAI Agents SDK', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['openai']);
    harness = await startGatewayHarness({
      config: { providers: { openai: { type: 'openai', baseUrl: up.baseUrl('openai') } }, models: { gpt: { targets: [{ provider: 'openai', model: 'llama-3.3-70b' }] } }, retry: { attempts: 1 } },
    });
    // The Agents SDK would send its traces to OpenAI: no test touches the internet.
    setTracingDisabled(true);
  });
  afterAll(async () => {
    await harness.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  it('answers the AI SDK’s generateText and streamText through its default openai(model), the Responses API', async () => {
    const openai = createOpenAI({ baseURL: harness.baseURL, apiKey: harness.key });
    up.script('openai', ok('Hello from the gateway.'));

    const generated = await generateText({ model: openai('gpt'), prompt: 'Say hello.' });
    const streamed = streamText({ model: openai('gpt'), prompt: 'Say hello.' });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;

    expect(generated.text).toBe('Hello from the gateway.');
    expect(generated.finishReason).toBe('stop');
    expect(text).toBe('Hello from the gateway.');
    expect((await streamed.usage).inputTokens).toBeGreaterThan(0);
    expect(up.upstreams.openai?.requests.map((request) => request.url)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    expect((await harness.usageEvents()).slice(-2).map((event) => event.endpoint)).toEqual(['/v1/responses', '/v1/responses']);
  });

  it('runs an AI SDK tool loop: the model’s call, the tool’s result back, the final answer', async () => {
    const openai = createOpenAI({ baseURL: harness.baseURL, apiKey: harness.key });
    up.script('openai', weatherCall, ok('It is sunny in Paris.'));

    const result = await generateText({
      model: openai('gpt'),
      prompt: 'Weather in Paris?',
      tools: { get_weather: tool({ description: 'Weather of a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` }) },
      stopWhen: stepCountIs(3),
    });

    expect(result.text).toBe('It is sunny in Paris.');
    expect(result.steps[0]?.toolCalls).toEqual([expect.objectContaining({ toolName: 'get_weather', input: { city: 'Paris' } })]);
    expect(toolMessageOf(up.upstreams.openai?.requests[1]?.json)).toMatchObject({ role: 'tool', tool_call_id: 'call_w1', content: expect.stringContaining('Sunny in Paris') });
  });

  it('runs an Agents SDK agent with a function tool on its default (Responses) model', async () => {
    setDefaultOpenAIClient(new OpenAI({ baseURL: harness.baseURL, apiKey: harness.key }));
    up.script('openai', weatherCall, ok('It is sunny in Paris.'));
    const getWeather = agentTool({ name: 'get_weather', description: 'Weather of a city', parameters: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` });
    const agent = new Agent({ name: 'Assistant', instructions: 'Answer briefly.', model: 'gpt', tools: [getWeather] });

    const result = await run(agent, 'Weather in Paris?');

    expect(result.finalOutput).toBe('It is sunny in Paris.');
    expect(toolMessageOf(up.upstreams.openai?.requests[1]?.json)).toMatchObject({ role: 'tool', tool_call_id: 'call_w1', content: expect.stringContaining('Sunny in Paris') });
    expect((up.upstreams.openai?.requests[0]?.json as { messages: Array<{ role: string }> }).messages[0]).toMatchObject({ role: 'system' });
    expect((await harness.usageEvents()).slice(-2).map((event) => event.endpoint)).toEqual(['/v1/responses', '/v1/responses']);
  });
});
