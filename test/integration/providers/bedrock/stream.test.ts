import { chatVia } from '../../../helpers/chat-protocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletionChunk, ToolCallDelta } from '../../../../functions/core/protocols/openai-chat/types';
import type { FakeUpstream } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema, SHARED_DIR } from '../../../helpers/openai-schemas';
import { chatCall, collect, fixture, STREAM_FIXTURES, testContext, testProvider } from '../../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock, type FakeBedrockReply } from '../../../helpers/providers/bedrock/fake-bedrock';

interface ExpectedSummary {
  text: string;
  reasoning: number;
  tool_calls: Array<{ id: string; name: string; input: string }>;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number } | null;
  error: string | null;
  expected_openai_finish_reason: string;
}

const SUMMARY = JSON.parse(readFileSync(join(SHARED_DIR, 'fixtures', 'EXPECTED-SUMMARY.json'), 'utf8')) as Record<string, ExpectedSummary>;

/** The summary keeps the first 80 characters of long texts. */
const SUMMARY_TEXT_LIMIT = 80;

/** How each mid-stream exception must surface to routing. */
const EXPECTED_ERRORS: Record<string, { status: number; verdict: string; errorClass: string }> = {
  ThrottlingException: { status: 429, verdict: 'retryable', errorClass: 'rate_limit' },
  // originalStatusCode 529 (Anthropic overloaded) → the shared table's "overloaded".
  ModelStreamErrorException: { status: 503, verdict: 'retryable', errorClass: 'server_error' },
};

/** The OpenAI-side result of a stream, assembled the way an OpenAI client would. */
function assemble(chunks: ChatCompletionChunk[]) {
  let text = '';
  let reasoning = '';
  const calls: Array<{ id: string; name: string; input: string }> = [];
  for (const chunk of chunks) {
    const delta = chunk.choices[0]?.delta;
    text += delta?.content ?? '';
    reasoning += delta?.reasoning_content ?? '';
    for (const call of delta?.tool_calls ?? []) appendToolDelta(calls, call);
  }
  return { text, reasoning, calls };
}

function appendToolDelta(calls: Array<{ id: string; name: string; input: string }>, delta: ToolCallDelta): void {
  if (delta.index === calls.length) {
    expect(delta).toMatchObject({ id: expect.any(String), type: 'function', function: { name: expect.any(String) } });
    calls.push({ id: delta.id ?? '', name: delta.function?.name ?? '', input: delta.function?.arguments ?? '' });
    return;
  }
  expect(delta.index).toBe(calls.length - 1);
  expect(delta.id).toBeUndefined();
  const call = calls[delta.index];
  if (call) call.input += delta.function?.arguments ?? '';
}

describe('Bedrock ConverseStream → OpenAI chunks', () => {
  let fake: FakeUpstream;
  let reply: FakeBedrockReply;
  beforeAll(async () => {
    fake = await startFakeBedrock(() => reply);
  });
  afterAll(() => fake.close());

  const cases = STREAM_FIXTURES.flatMap((name) => [
    [name, 'whole', undefined],
    [name, '1-byte writes', 1],
  ] as const);

  it.each(cases)('%s (%s) matches EXPECTED-SUMMARY', async (name, _cut, pieceSize) => {
    const expected = SUMMARY[`bedrock/${name}`];
    if (!expected) throw new Error(`no summary for ${name}`);
    reply = { kind: 'stream', jsonl: fixture(name), pieceSize };

    const result = await chatVia(testProvider(), chatCall({ stream: true }, { stream: true }), testContext(fake.url));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const { chunks, error } = await collect(result.chunks);

    for (const chunk of chunks) assertOpenAiSchema('CreateChatCompletionStreamResponse', chunk);
    const { text, reasoning, calls } = assemble(chunks);
    expect(text.slice(0, expected.text.length)).toBe(expected.text);
    if (expected.text.length < SUMMARY_TEXT_LIMIT) expect(text).toBe(expected.text);
    expect(reasoning.length).toBe(expected.reasoning);
    if (chunks.length > 0) expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.slice(1).filter((chunk) => chunk.choices[0]?.delta.role !== undefined)).toEqual([]);

    if (expected.error) {
      const [errorName, message] = expected.error.split(': ');
      const want = EXPECTED_ERRORS[errorName ?? ''];
      if (!want) throw new Error(`no expectation for ${errorName}`);
      expect(error).toMatchObject(want);
      expect(error?.message).toContain(message);
      expect(chunks.every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
      // The summary lists the calls the provider SDK completed; deltas streamed before the error
      // are not completed calls, and the client learns of the failure from the error.
      return;
    }
    expect(error).toBeUndefined();
    expect(calls).toEqual(expected.tool_calls);
    // The finish on the last chunk with a choice, then the usage in a chunk of its own with none, as OpenAI streams it.
    const withChoices = chunks.filter((chunk) => chunk.choices.length > 0);
    const finishing = withChoices[withChoices.length - 1];
    expect(withChoices.slice(0, -1).every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
    expect(finishing?.choices[0]?.finish_reason).toBe(expected.expected_openai_finish_reason);
    const last = chunks[chunks.length - 1];
    expect(last === finishing ? null : (last?.usage ?? null)).toEqual(
      expected.usage && {
        prompt_tokens: expected.usage.inputTokens,
        completion_tokens: expected.usage.outputTokens,
        total_tokens: expected.usage.totalTokens,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      },
    );
    expect(chunks.slice(0, -1).some((chunk) => chunk.usage)).toBe(false);
  });
});
