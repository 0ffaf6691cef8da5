import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';

import { createGateway } from '../../../../functions/core/gateway';
import { createKeyRecord } from '../../../../functions/core/keys/new-key';
import { systemClock } from '../../../../functions/core/ports/clock';
import type { KeyRecord } from '../../../../functions/core/ports/key-store';
import { silentLogger } from '../../../../functions/core/ports/logger';
import type { UsageEvent } from '../../../../functions/core/usage/usage-event';
import { startLocalServer, type LocalServer } from '../../../../functions/adapters/local/node-http-server';
import { startFakeUpstream, writeInPieces, type FakeUpstream } from '../../../helpers/fake-upstream';
import { SHARED_DIR } from '../../../helpers/openai-schemas';
import { defaultProviders } from '../../../../functions/providers/registry';
import { parseConfig } from '../../../../functions/providers/config';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'anthropic');

let upstream: FakeUpstream;
let server: LocalServer;
let client: OpenAI;
const usage: UsageEvent[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream(() => undefined);
  const { key, record } = await createKeyRecord({ name: 'sdk-test' }, new Date());
  const keys = new Map<string, KeyRecord>([[record.keyHash, record]]);
  const config = parseConfig({
    providers: { claude: { type: 'anthropic', baseUrl: upstream.url, apiKeySecret: 'anthropic' } },
    models: { smart: { targets: [{ provider: 'claude', model: 'claude-sonnet-4-5' }] } },
  });
  const gateway = createGateway(
    {
      keyStore: { findByHash: async (hash) => keys.get(hash), findTeam: async () => undefined, listTagBudgets: async () => [] },
      secrets: { get: async (name) => (name === 'anthropic' ? 'sk-ant-test' : undefined) },
      usageSink: { write: async (event) => void usage.push(event) },
      clock: systemClock,
      logger: silentLogger,
      fetch: globalThis.fetch.bind(globalThis),
      providers: defaultProviders,
    },
    config,
  );
  server = await startLocalServer(gateway, { host: '127.0.0.1', port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
  await upstream.close();
});

describe('OpenAI SDK chat.completions.stream() through the gateway to Anthropic', () => {
  it.each([
    { file: 'text-then-tool-no-args.sse', content: "I'll update the issue list for you.", id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: '{}', input: 565, output: 48 },
    { file: 'tool-deltas.sse', content: 'Okay!', id: 'toolu_01DBsB4vvYLnBDzZ5rBSxSLs', name: 'test-tool', arguments: '{"value":"Sparkle Day"}', input: 441, output: 65 },
  ])('assembles the tool call of $file sent in 1-byte writes', async (expected) => {
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, readFileSync(join(FIXTURES, expected.file)), 1);
    });

    const stream = client.chat.completions.stream({
      model: 'smart',
      messages: [{ role: 'user', content: 'Do it.' }],
      tools: [{ type: 'function', function: { name: expected.name, parameters: { type: 'object', properties: {} } } }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();

    expect(final.choices).toHaveLength(1);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: expected.content,
      tool_calls: [{ id: expected.id, type: 'function', function: { name: expected.name, arguments: expected.arguments } }],
    });
    expect(final.usage).toMatchObject({ prompt_tokens: expected.input, completion_tokens: expected.output, total_tokens: expected.input + expected.output });
    const sent = upstream.requests[upstream.requests.length - 1];
    expect(sent?.headers['x-api-key']).toBe('sk-ant-test');
    expect(sent?.json).toMatchObject({ model: 'claude-sonnet-4-5', stream: true, max_tokens: 64000 });
    await server.idle();
    expect(usage[usage.length - 1]).toMatchObject({ provider: 'claude', status: 'ok', input_tokens: expected.input, output_tokens: expected.output, usage_estimated: false });
  });

  it('surfaces a mid-stream overloaded_error as an SDK error instead of a silent end', async () => {
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, readFileSync(join(FIXTURES, 'error-overloaded-midstream.sse')), 1);
    });

    const stream = client.chat.completions.stream({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });

    await expect(stream.finalChatCompletion()).rejects.toThrow(/Overloaded/);
  });
});

describe('Claude thinking through a streamed tool loop', () => {
  /** Streams `file` through the gateway and returns what an OpenAI client assembles of it. */
  async function streamed(file: string): Promise<{ reasoning: string; thinkingBlocks: unknown[] }> {
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, readFileSync(join(FIXTURES, file)), 7);
    });
    const stream = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'Think.' }], reasoning_effort: 'low', stream: true });
    let reasoning = '';
    const thinkingBlocks: unknown[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { reasoning_content?: string; thinking_blocks?: unknown[] } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      thinkingBlocks.push(...(delta?.thinking_blocks ?? []));
    }
    return { reasoning, thinkingBlocks };
  }

  it('hands the client each thinking block whole, with its signature, beside the reasoning text', async () => {
    const { reasoning, thinkingBlocks } = await streamed('thinking-signature.sse');

    expect(thinkingBlocks).toEqual([{ type: 'thinking', thinking: reasoning, signature: expect.stringMatching(/^.{20,}$/) }]);
  });

  it('hands the client redacted thinking blocks, which it cannot read but must send back', async () => {
    const { thinkingBlocks } = await streamed('redacted-thinking.sse');

    expect(thinkingBlocks).toEqual([{ type: 'redacted_thinking', data: expect.stringMatching(/^.{20,}$/) }]);
  });

  it('keeps thinking on for the next turn when the client sends the blocks back with its tool result', async () => {
    const { thinkingBlocks } = await streamed('thinking-signature.sse');
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, readFileSync(join(FIXTURES, 'text-basic.sse')), 7);
    });
    const tool = { type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } };
    const assistant = {
      role: 'assistant' as const,
      content: null,
      tool_calls: [{ id: 'toolu_1', type: 'function' as const, function: { name: 'lookup', arguments: '{}' } }],
      thinking_blocks: thinkingBlocks,
    };

    const next = await client.chat.completions.create({
      model: 'smart',
      reasoning_effort: 'low',
      stream: true,
      tools: [tool],
      messages: [{ role: 'user', content: 'Look it up.' }, assistant as OpenAI.ChatCompletionAssistantMessageParam, { role: 'tool', tool_call_id: 'toolu_1', content: '42' }],
    });
    for await (const _chunk of next) void _chunk;

    const sent = upstream.requests.at(-1)?.json as { thinking?: unknown; messages: Array<{ role: string; content: Array<{ type: string }> }> };
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: expect.any(Number) });
    expect(sent.messages[1]?.content[0]).toEqual(thinkingBlocks[0]);
    expect(sent.messages[1]?.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
  });
});
