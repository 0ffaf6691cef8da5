import { chatVia } from '../../../helpers/chat-protocol';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../../../../functions/core/errors';
import type { ChatCompletionChunk } from '../../../../functions/core/protocols/openai-chat/types';
import { anthropicProvider } from '../../../../functions/providers/anthropic';
import { startFakeUpstream, writeInPieces, type FakeUpstream } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema, SHARED_DIR } from '../../../helpers/openai-schemas';
import { makeCall, makeContext } from '../../../helpers/providers/anthropic/call-context';

interface ExpectedSummary {
  text: string;
  thinking: number;
  tool_calls: Array<{ id: string; name: string; arguments: string }>;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number } | null;
  error: string | null;
  expected_openai_finish_reason: string;
}

const FIXTURES = join(SHARED_DIR, 'fixtures', 'anthropic');
const SUMMARY = JSON.parse(readFileSync(join(SHARED_DIR, 'fixtures', 'EXPECTED-SUMMARY.json'), 'utf8')) as Record<string, ExpectedSummary>;
/** EXPECTED-SUMMARY.json keeps the first 80 characters of the text. */
const TEXT_PREFIX = 80;
const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.sse')).sort();

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream(() => undefined);
});
afterAll(() => upstream.close());

/** Replays `file` in pieces of `pieceSize` bytes and collects the adapter's chunks and error. */
async function replay(file: string, pieceSize: number): Promise<{ chunks: ChatCompletionChunk[]; error: unknown }> {
  const body = readFileSync(join(FIXTURES, file));
  upstream.setHandler(async (_request, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    await writeInPieces(res, body, pieceSize);
  });
  const chunks: ChatCompletionChunk[] = [];
  let error: unknown;
  try {
    const result = await chatVia(anthropicProvider, makeCall({ stream: true }), makeContext({ baseUrl: upstream.url }));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    for await (const chunk of result.chunks) chunks.push(chunk);
  } catch (caught) {
    error = caught;
  }
  return { chunks, error };
}

/** Rebuilds tool calls from deltas, checking the OpenAI rules for each call's first delta. */
function toolCalls(chunks: ChatCompletionChunk[]): Array<{ id: string; name: string; arguments: string }> {
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  for (const chunk of chunks) {
    for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
      const existing = calls[delta.index];
      if (existing) {
        expect(delta.id).toBeUndefined();
        expect(delta.function?.name).toBeUndefined();
        existing.arguments += delta.function?.arguments ?? '';
      } else {
        // A new call takes the next index, and names itself on its first delta.
        expect(delta.index).toBe(calls.length);
        expect(delta.type).toBe('function');
        calls.push({ id: delta.id ?? '', name: delta.function?.name ?? '', arguments: delta.function?.arguments ?? '' });
      }
    }
  }
  return calls;
}

describe.each(files)('Anthropic stream fixture %s', (file) => {
  const expected = SUMMARY[`anthropic/${file}`];

  it.each([
    ['whole', Number.MAX_SAFE_INTEGER],
    ['in 1-byte writes', 1],
  ])('translates the stream sent %s', async (_label, pieceSize) => {
    if (!expected) throw new Error(`no EXPECTED-SUMMARY entry for ${file}`);

    const { chunks, error } = await replay(file, pieceSize);

    for (const chunk of chunks) assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
    // The usage comes last in a chunk of its own with no choices, as OpenAI streams it.
    const usageChunk = chunks.find((chunk) => chunk.choices.length === 0);
    const choices = chunks.filter((chunk) => chunk !== usageChunk).map((chunk) => chunk.choices[0]);
    expect(choices.every((choice) => choice?.index === 0)).toBe(true);
    if (chunks.length > 0) expect(choices[0]?.delta.role).toBe('assistant');
    expect(choices.slice(1).some((choice) => choice?.delta.role !== undefined)).toBe(false);

    const text = choices.map((choice) => choice?.delta.content ?? '').join('');
    if (expected.text.length < TEXT_PREFIX) expect(text).toBe(expected.text);
    else expect(text.startsWith(expected.text)).toBe(true);
    expect(choices.map((choice) => choice?.delta.reasoning_content ?? '').join('')).toHaveLength(expected.thinking);
    expect(toolCalls(chunks)).toEqual(expected.tool_calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })));

    const finishes = choices.filter((choice) => choice?.finish_reason !== null);
    if (expected.error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect(finishes).toHaveLength(0);
      return;
    }
    expect(error).toBeUndefined();
    expect(finishes).toHaveLength(1);
    expect(choices[choices.length - 1]?.finish_reason).toBe(expected.expected_openai_finish_reason);
    const last = chunks[chunks.length - 1];
    expect(last).toBe(usageChunk);
    const usage = expected.usage;
    if (!usage) throw new Error(`no usage expected for ${file}`);
    const cacheRead = usage.cache_read_input_tokens ?? 0;
    const cacheWrite = usage.cache_creation_input_tokens ?? 0;
    const prompt = usage.input_tokens + cacheRead + cacheWrite;
    expect(last?.usage).toMatchObject({
      prompt_tokens: prompt,
      completion_tokens: usage.output_tokens,
      total_tokens: prompt + usage.output_tokens,
      prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
    });
    expect(chunks.slice(0, -1).some((chunk) => chunk.usage !== undefined)).toBe(false);
  });
});

describe('Anthropic stream errors', () => {
  it.each([
    ['error-overloaded-first-event.sse', 503, 'upstream_overloaded', 'retryable'],
    ['error-overloaded-midstream.sse', 503, 'upstream_overloaded', 'retryable'],
    ['error-chunk.sse', 502, 'upstream_server_error', 'retryable'],
  ])('%s becomes a %d %s error with verdict %s', async (file, status, code, verdict) => {
    const { error } = await replay(file, Number.MAX_SAFE_INTEGER);

    expect(error).toMatchObject({ status, code, verdict, provider: 'anthropic' });
  });

  it('reports a stream cut before message_stop as upstream_cut', async () => {
    const whole = readFileSync(join(FIXTURES, 'text-basic.sse'), 'utf8');
    const cut = whole.slice(0, whole.indexOf('event: message_delta'));
    upstream.setHandler(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, cut, 7);
    });

    const result = await chatVia(anthropicProvider, makeCall({ stream: true }), makeContext({ baseUrl: upstream.url }));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const chunks: ChatCompletionChunk[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of result.chunks) chunks.push(chunk);
    };

    await expect(consume()).rejects.toMatchObject({ code: 'upstream_cut', verdict: 'retryable' });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello there!');
  });
});
