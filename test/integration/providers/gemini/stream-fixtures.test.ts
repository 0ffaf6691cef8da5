import { chatVia } from '../../../helpers/chat-protocol';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../../../../functions/core/errors';
import type { ChatCompletionChunk } from '../../../../functions/core/protocols/openai-chat/types';
import { geminiProvider } from '../../../../functions/providers/gemini';
import { startFakeUpstream, writeInPieces, type FakeUpstream } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema, SHARED_DIR } from '../../../helpers/openai-schemas';
import { assemble, callContext, chatCall, REQUEST_ID } from '../../../helpers/providers/gemini/harness';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'gemini');

interface Expected {
  text: string;
  tool_calls: Array<{ name?: string; args: Record<string, unknown> | null; partial: boolean }>;
  usage: Record<string, number> | null;
  expected_openai_finish_reason: string;
}
const summary = JSON.parse(readFileSync(join(SHARED_DIR, 'fixtures', 'EXPECTED-SUMMARY.json'), 'utf8')) as Record<string, Expected>;

/** The summary's prefix is cut at 80 characters; shorter texts are whole. */
const PREFIX_LENGTH = 80;

/**
 * Our decisions where the summary has no OpenAI answer: an unknown finish reason ends the choice
 * normally; a stream that closes with no finish reason at all is an upstream cut.
 */
const DECIDED: Record<string, string> = { '? (FAKE_ENUM)': 'stop', '? (null)': 'upstream_cut' };

/**
 * Arguments of calls whose arguments Gemini streamed as `partialArgs` (the summary records them as
 * `null` because the SDK does not assemble them); read from the fixtures' `stringValue` pieces.
 */
const STREAMED_ARGS: Record<string, Array<Record<string, unknown>>> = {
  'tool-call-streamed-args.sse': [{ location: 'Boston' }, { location: 'San Francisco' }],
  'tool-call-no-args-streamed.sse': [{}, { id: 'A' }, { id: 'B' }, { id: 'C' }],
};

const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.sse')).sort();
const cases = files.flatMap((file) => [
  { file, mode: 'whole', pieceSize: Number.MAX_SAFE_INTEGER },
  { file, mode: '1-byte writes', pieceSize: 1 },
]);

describe('Gemini stream translation over every recorded fixture', () => {
  let upstream: FakeUpstream;
  let body = Buffer.alloc(0);
  let pieceSize = 1;

  beforeAll(async () => {
    upstream = await startFakeUpstream(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, body, pieceSize);
    });
  });
  afterAll(() => upstream.close());

  it('covers every fixture in the summary', () => {
    expect(files.length).toBeGreaterThanOrEqual(19);
    for (const file of files) expect(summary[`gemini/${file}`]).toBeDefined();
  });

  it.each(cases)('$file ($mode)', async ({ file, pieceSize: size }) => {
    // Arrange
    const expected = summary[`gemini/${file}`] as Expected;
    body = readFileSync(join(FIXTURES, file));
    pieceSize = size;
    const finish = DECIDED[expected.expected_openai_finish_reason] ?? expected.expected_openai_finish_reason.split(' ')[0];

    // Act
    const chunks: ChatCompletionChunk[] = [];
    let error: unknown;
    try {
      const result = await chatVia(geminiProvider, chatCall({}, { stream: true }), callContext(upstream.url));
      if (result.kind !== 'stream') throw new Error('expected a stream');
      for await (const chunk of result.chunks) chunks.push(chunk);
    } catch (caught) {
      error = caught;
    }

    // Assert
    for (const chunk of chunks) assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
    if (finish === 'upstream_cut') {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe('upstream_cut');
      expect((error as GatewayError).verdict).toBe('retryable');
      return;
    }
    expect(error).toBeUndefined();
    const out = assemble(chunks);
    if (expected.text.length < PREFIX_LENGTH) expect(out.text).toBe(expected.text);
    else expect(out.text.startsWith(expected.text)).toBe(true);
    expect(out.finishReasons).toEqual([finish]);

    const calls = expected.tool_calls.filter((call) => call.name !== undefined);
    expect(out.toolCalls.map((call) => call.name)).toEqual(calls.map((call) => call.name));
    const args = STREAMED_ARGS[file] ?? calls.map((call) => call.args ?? {});
    expect(out.toolCalls.map((call) => JSON.parse(call.arguments) as unknown)).toEqual(args);
    expect(out.toolCalls.map((call) => call.id)).toEqual(calls.map((_call, n) => `call_${REQUEST_ID}_${n}`));

    if (expected.usage === null) expect(out.usage).toBeUndefined();
    else {
      const thoughts = expected.usage.thoughtsTokenCount ?? 0;
      expect(out.usage).toEqual({
        prompt_tokens: expected.usage.promptTokenCount,
        completion_tokens: (expected.usage.candidatesTokenCount ?? 0) + thoughts,
        total_tokens: expected.usage.totalTokenCount,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: thoughts },
      });
    }
    expectOpenAiStreamShape(chunks);
  });
});

/**
 * The stream invariants OpenAI clients rely on: role only on the first chunk, one finish reason on
 * the last choice chunk, tool-call indices from 0 with id/type/name only on a call's first delta,
 * and usage (when present) alone in a final `choices: []` chunk.
 */
function expectOpenAiStreamShape(chunks: ChatCompletionChunk[]): void {
  const choiceChunks = chunks.filter((chunk) => chunk.choices.length > 0);
  const roles = choiceChunks.map((chunk) => chunk.choices[0]?.delta.role);
  expect(roles[0]).toBe('assistant');
  expect(roles.slice(1).every((role) => role === undefined)).toBe(true);
  const finishes = choiceChunks.map((chunk) => chunk.choices[0]?.finish_reason ?? null);
  expect(finishes.slice(0, -1).every((reason) => reason === null)).toBe(true);
  expect(finishes[finishes.length - 1]).not.toBeNull();
  const seen = new Set<number>();
  for (const chunk of choiceChunks) {
    for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
      if (seen.has(call.index)) {
        expect(call.id).toBeUndefined();
        expect(call.function?.name).toBeUndefined();
      } else {
        expect(call.index).toBe(seen.size);
        expect(call).toMatchObject({ id: expect.any(String), type: 'function', function: { name: expect.any(String) } });
        seen.add(call.index);
      }
    }
  }
  const usageChunks = chunks.filter((chunk) => chunk.usage);
  if (usageChunks.length > 0) {
    expect(usageChunks).toHaveLength(1);
    expect(chunks[chunks.length - 1]).toBe(usageChunks[0]);
    expect(usageChunks[0]?.choices).toEqual([]);
  }
  expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
}
