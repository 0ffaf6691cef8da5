import type { ChatCompletionChunk } from '../../../../functions/core/protocols/openai-chat/types';
import { ChatChunkEncoder } from '../../../../functions/core/protocols/openai-chat/encode';
import { buildConverseInput } from '../../../../functions/providers/bedrock/request';
import { createConverseStreamTranslator } from '../../../../functions/providers/bedrock/stream';
import { chatCall, testContext } from '../../../helpers/providers/bedrock/bedrock-test-kit';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** Claude's reasoning through Bedrock Converse: streamed whole with its signature, and replayed. */
describe('Claude reasoning on Bedrock through a tool loop', () => {
  it('hands each streamed reasoning block over whole, with its signature, and redacted reasoning as data', () => {
    const encoder = new ChatChunkEncoder({ id: 'chatcmpl-1', created: 1, model: CLAUDE });
    const translator = createConverseStreamTranslator(testContext('http://127.0.0.1:9'), undefined);
    const events = [
      { messageStart: { role: 'assistant' as const } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Count the ' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: "r's." } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'c2lnbmF0dXJl' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { reasoningContent: { redactedContent: new Uint8Array([1, 2, 3]) } } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { text: 'Three.' } } },
      { contentBlockStop: { contentBlockIndex: 2 } },
      { messageStop: { stopReason: 'end_turn' as const } },
      { metadata: { usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, metrics: { latencyMs: 1 } } },
    ];
    const chunks: ChatCompletionChunk[] = events.flatMap((event) => translator.push(event)).flatMap((event) => encoder.encode(event));
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta ?? {});

    expect(deltas.map((delta) => delta.reasoning_content ?? '').join('')).toBe("Count the r's.");
    expect(deltas.flatMap((delta) => (delta.thinking_blocks as unknown[] | undefined) ?? [])).toEqual([
      { type: 'thinking', thinking: "Count the r's.", signature: 'c2lnbmF0dXJl' },
      { type: 'redacted_thinking', data: Buffer.from([1, 2, 3]).toString('base64') },
    ]);
  });

  const toolLoop = (thinkingBlocks?: unknown[]) =>
    chatCall(
      {
        reasoning_effort: 'low',
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
        messages: [
          { role: 'user', content: 'Look it up.' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'tool_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }], ...(thinkingBlocks ? { thinking_blocks: thinkingBlocks } : {}) },
          { role: 'tool', tool_call_id: 'tool_1', content: '42' },
        ],
      },
      { model: CLAUDE, maxOutputTokens: 8000 },
    );

  it('replays the blocks the client sends back as reasoning content first in the assistant turn, and keeps thinking on', () => {
    const { input } = buildConverseInput(
      toolLoop([
        { type: 'thinking', thinking: "Count the r's.", signature: 'c2lnbmF0dXJl' },
        { type: 'redacted_thinking', data: 'AQID' },
      ]),
      { type: 'bedrock' },
    );

    expect(input.messages?.[1]?.content?.slice(0, 3)).toEqual([
      { reasoningContent: { reasoningText: { text: "Count the r's.", signature: 'c2lnbmF0dXJl' } } },
      { reasoningContent: { redactedContent: new Uint8Array([1, 2, 3]) } },
      { toolUse: { toolUseId: 'tool_1', name: 'lookup', input: {} } },
    ]);
    expect(input.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2048 } });
  });

  it('leaves thinking off for a turn that continues a tool loop without the reasoning (Claude would refuse it)', () => {
    const { input } = buildConverseInput(toolLoop(), { type: 'bedrock' });

    expect(input.additionalModelRequestFields).toBeUndefined();
  });
});
