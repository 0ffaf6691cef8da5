/**
 * The id of the n-th tool call of a request, for providers whose calls carry no id (Gemini) or
 * lost it: derived from the request id, the same way for every provider, so it is deterministic
 * for a request (tests and retries see the same ids) and unique across a conversation. (An answer
 * without a provider id gets its id from the ingress protocol.)
 */
export function toolCallId(requestId: string, n: number): string {
  return `call_${requestId.replace(/[^A-Za-z0-9_-]/g, '')}_${n}`;
}
