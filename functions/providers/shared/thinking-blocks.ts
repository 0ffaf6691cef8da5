import type { ChatMessage } from '../../core/openai/types';

/**
 * One block of Claude's reasoning as the gateway hands it to clients in `thinking_blocks` (a
 * non-standard field, as in LiteLLM) beside `reasoning_content`: the text with its signature, or
 * the encrypted data of a redacted block. Claude verifies them when they come back, and requires
 * them at the start of an assistant turn that a tool loop continues with thinking on.
 */
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

/** The valid `thinking_blocks` a client sent back on an assistant message (others are ignored). */
export function thinkingBlocksOf(message: ChatMessage): ThinkingBlock[] {
  const blocks = (message as { thinking_blocks?: unknown }).thinking_blocks;
  if (!Array.isArray(blocks)) return [];
  return blocks.filter(
    (block): block is ThinkingBlock =>
      (block?.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string') ||
      (block?.type === 'redacted_thinking' && typeof block.data === 'string'),
  );
}
