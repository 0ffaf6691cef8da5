import { GatewayError } from '../../core/errors';
import type { AssistantMessage, ChatCompletion, FinishReason, ToolCall, Usage } from '../../core/openai/types';
import type { CallContext, ChatCall } from '../../core/ports/provider';
import type { GeminiPart, GeminiResponse, GeminiUsageMetadata } from './wire';
import type { GeminiSettings } from './settings';
import { completionId, toolCallId } from '../shared/ids';

/** Gemini finish reasons that mean content was withheld or cut by a safety or policy filter. */
const FILTERED = new Set([
  'SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION',
]);

/**
 * Maps a Gemini `finishReason` to OpenAI's. Gemini reports tool calls with `STOP`, so a choice
 * that called a tool finishes with `tool_calls`. Reasons OpenAI has no word for (`OTHER`,
 * `MALFORMED_FUNCTION_CALL`, values added after this was written) end the choice normally rather
 * than breaking the response.
 */
export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && FILTERED.has(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * Normalises Gemini usage to OpenAI's: `prompt_tokens` includes cached and tool-use prompt tokens
 * (both billed as input), `completion_tokens` includes thinking tokens (Gemini counts them outside
 * `candidatesTokenCount`). Returns `undefined` when the metadata carries no counts yet (streams
 * send `{trafficType}` alone until the end).
 */
export function toUsage(meta: GeminiUsageMetadata | undefined): Usage | undefined {
  if (meta?.promptTokenCount === undefined && meta?.candidatesTokenCount === undefined) return undefined;
  const prompt = (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0);
  const reasoning = meta.thoughtsTokenCount ?? 0;
  const completion = (meta.candidatesTokenCount ?? 0) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: meta.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}


/**
 * Carries Gemini's thought signature on an OpenAI tool call the way Google's own OpenAI-compatible
 * endpoint does (`extra_content.google.thought_signature`), so a client that sends the assistant
 * message back unchanged lets Gemini 3 validate the next turn.
 */
export function signatureExtra(part: GeminiPart): { extra_content?: { google: { thought_signature: string } } } {
  return part.thoughtSignature === undefined ? {} : { extra_content: { google: { thought_signature: part.thoughtSignature } } };
}

/**
 * Translates a `generateContent` answer into an OpenAI chat completion. A prompt blocked before
 * any candidate was produced (`promptFeedback.blockReason`) is one empty choice finishing with
 * `content_filter`.
 */
export function parseGeminiCompletion(json: unknown, call: ChatCall, ctx: CallContext<GeminiSettings>): ChatCompletion {
  const response = json as GeminiResponse;
  const candidates = response.candidates ?? [];
  let toolCount = 0;
  const choices: ChatCompletion['choices'] = candidates.map((candidate, i) => {
    let text = '';
    let reasoning = '';
    const toolCalls: ToolCall[] = [];
    for (const part of candidate.content?.parts ?? []) {
      if (part.functionCall) {
        toolCalls.push({
          id: toolCallId(ctx.requestId, toolCount++),
          type: 'function',
          function: { name: part.functionCall.name ?? '', arguments: JSON.stringify(part.functionCall.args ?? {}) },
          ...signatureExtra(part),
        });
      } else if (typeof part.text === 'string') {
        if (part.thought === true) reasoning += part.text;
        else text += part.text;
      }
    }
    const message: AssistantMessage = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    if (reasoning !== '') message.reasoning_content = reasoning;
    return { index: candidate.index ?? i, message, finish_reason: mapFinishReason(candidate.finishReason, toolCalls.length > 0), logprobs: null };
  });
  if (choices.length === 0 && response.promptFeedback?.blockReason !== undefined) {
    choices.push({ index: 0, message: { role: 'assistant', content: '', refusal: null }, finish_reason: 'content_filter', logprobs: null });
  }
  if (choices.length === 0) throw emptyAnswer(ctx.providerName);
  const completion: ChatCompletion = {
    id: completionId(ctx.requestId),
    object: 'chat.completion',
    created: ctx.nowSeconds(),
    model: call.model,
    choices,
  };
  const usage = toUsage(response.usageMetadata);
  if (usage) completion.usage = usage;
  return completion;
}

/** A 2xx answer with neither candidates nor a block reason: a retryable upstream fault. */
function emptyAnswer(provider: string): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'bad_upstream_response',
    message: `Provider '${provider}' returned no candidates and no block reason.`,
    verdict: 'retryable',
    errorClass: 'server_error',
    provider,
  });
}
