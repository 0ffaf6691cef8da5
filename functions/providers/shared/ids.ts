/**
 * Ids the gateway makes up where a provider gives none, the same way for every provider, derived
 * from the request id: deterministic for a request (tests and retries see the same ids), unique
 * across a conversation.
 */

/** The completion id of a request (stream chunks share it). */
export function completionId(requestId: string): string {
  return `chatcmpl-${requestId}`;
}

/** The id of the n-th tool call of a request, for providers whose calls carry no id (Gemini) or lost it. */
export function toolCallId(requestId: string, n: number): string {
  return `call_${requestId.replace(/[^A-Za-z0-9_-]/g, '')}_${n}`;
}
