import type { ConverseResponse } from '@aws-sdk/client-bedrock-runtime';
import type { AssistantPart } from '../../core/model/request';
import type { CanonicalCompletion } from '../../core/model/response';
import { toCanonicalUsage, toFinishReason } from './usage';

/**
 * Translates a Converse response into a canonical completion, block by block in order: text,
 * tool calls (the structured-output tool's input becomes text instead), and reasoning with
 * Claude's signature (or a redacted block's data) so the client can hand it back on the next
 * turn of a tool loop; stop reason and usage are normalised.
 */
export function parseConverseResponse(response: ConverseResponse, responseTool: string | undefined): CanonicalCompletion {
  const content: AssistantPart[] = [];
  let toolCalls = 0;
  for (const block of response.output?.message?.content ?? []) {
    if (block.text !== undefined) {
      content.push({ type: 'text', text: block.text });
    } else if (block.toolUse) {
      const args = JSON.stringify(block.toolUse.input ?? {});
      if (block.toolUse.name === responseTool) content.push({ type: 'text', text: args });
      else {
        toolCalls += 1;
        content.push({ type: 'tool_call', id: block.toolUse.toolUseId ?? '', name: block.toolUse.name ?? '', kind: 'function', arguments: args });
      }
    } else if (block.reasoningContent?.reasoningText) {
      const { text = '', signature } = block.reasoningContent.reasoningText;
      content.push(signature ? { type: 'reasoning', text, state: { format: 'anthropic', signature } } : { type: 'reasoning', text });
    } else if (block.reasoningContent?.redactedContent) {
      content.push({ type: 'reasoning', text: '', state: { format: 'anthropic-redacted', data: Buffer.from(block.reasoningContent.redactedContent).toString('base64') } });
    }
  }
  const completion: CanonicalCompletion = { content, finishReason: toFinishReason(response.stopReason, toolCalls > 0) };
  const usage = toCanonicalUsage(response.usage);
  if (usage) completion.usage = usage;
  return completion;
}
