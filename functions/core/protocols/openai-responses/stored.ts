import { authenticationError, GatewayError, invalidRequest } from '../../errors';
import { completed, type HandlerResult } from '../../pipeline/handler-result';
import type { ResponseStore, StoredResponse } from '../../ports/response-store';
import type { GatewayRuntime } from '../../runtime';
import type { RequestRecord } from '../../usage/request-record';
import type { ResponsesRequest } from './types';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** 404 for a response this key does not have: the same answer whether it exists for another key or not. */
function responseNotFound(id: string, param: string | null = null): GatewayError {
  return new GatewayError({ verdict: 'final', status: 404, type: 'invalid_request_error', code: null, param, message: `Response with id '${id}' not found.`, errorClass: 'not_found' });
}

/** The store, or the 400 that says this deployment keeps no responses. */
function requireStore(runtime: GatewayRuntime, param: string): ResponseStore {
  const store = runtime.deps.responses;
  if (!store) throw invalidRequest(`'${param}' needs stored responses, which this gateway deployment does not keep. Send the conversation in 'input' instead.`, param, 'unsupported_parameter');
  return store;
}

/** The key's id: stored responses belong to a key. */
function keyIdOf(record: RequestRecord): string {
  const keyId = record.principal?.keyId;
  if (!keyId) throw authenticationError('A virtual key is required.');
  return keyId;
}

/** A request whose `previous_response_id` is resolved: the stored conversation, then its own input. */
export interface ContinuedRequest {
  /** The body to decode and send: the whole conversation in `input`, no `previous_response_id`. */
  body: ResponsesRequest;
  /** The conversation's input items, to keep with the new response. */
  input: unknown[];
  previousResponseId: string | undefined;
}

/**
 * Rebuilds the conversation of `previous_response_id` from the store (DESIGN §2), for any target:
 * the previous response's input items and output, then this request's input. Instructions do not
 * carry over, as in OpenAI's API. 404 when the key has no such response.
 */
export async function continueConversation(runtime: GatewayRuntime, record: RequestRecord, body: ResponsesRequest): Promise<ContinuedRequest> {
  const own: unknown[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : [...(body.input ?? [])];
  const previousId = body.previous_response_id ?? undefined;
  if (!previousId) return { body, input: own, previousResponseId: undefined };
  const previous = await requireStore(runtime, 'previous_response_id').get(keyIdOf(record), previousId);
  if (!previous) throw responseNotFound(previousId, 'previous_response_id');
  const input = [...previous.input, ...((previous.response.output as unknown[] | undefined) ?? []), ...own];
  const { previous_response_id: _previous, ...rest } = body;
  return { body: { ...rest, input: input as ResponsesRequest['input'] }, input, previousResponseId: previousId };
}

/** Whether to keep the response: the store exists and the client did not say `store: false` (the API's default is to store). */
export function shouldStore(runtime: GatewayRuntime, body: ResponsesRequest): boolean {
  return runtime.deps.responses !== undefined && body.store !== false;
}

/** Keeps a finished response for the key; a failure is logged, never the client's problem. */
export async function keepResponse(runtime: GatewayRuntime, record: RequestRecord, response: Record<string, unknown>, input: unknown[]): Promise<void> {
  const store = runtime.deps.responses;
  const keyId = record.principal?.keyId;
  if (!store || !keyId || typeof response.id !== 'string') return;
  const entry: StoredResponse = { responseId: response.id, keyId, response, input, createdAt: runtime.deps.clock.now() };
  await store.put(entry).catch((error: unknown) => runtime.deps.logger.error('storing a response failed', { requestId: record.requestId, error: error instanceof Error ? error.message : String(error) }));
}

/**
 * `GET /v1/responses/{id}`, `DELETE /v1/responses/{id}` and `GET /v1/responses/{id}/input_items`
 * (`path` is what follows `/v1/responses/`) for the key's stored responses; 404 for any other id.
 * The gateway has checked the method.
 */
export async function handleStoredResponse(runtime: GatewayRuntime, request: Request, record: RequestRecord, path: string): Promise<HandlerResult> {
  const [id, sub] = path.split('/');
  const store = requireStore(runtime, 'response_id');
  const keyId = keyIdOf(record);
  if (!id || (sub !== undefined && sub !== 'input_items')) throw responseNotFound(id ?? '');
  if (request.method === 'DELETE' && sub === undefined) {
    if (!(await store.delete(keyId, id))) throw responseNotFound(id);
    return completed(new Response(JSON.stringify({ id, object: 'response', deleted: true }), { status: 200, headers: JSON_HEADERS }));
  }
  const stored = await store.get(keyId, id);
  if (!stored) throw responseNotFound(id);
  if (sub === undefined) return completed(new Response(JSON.stringify(stored.response), { status: 200, headers: JSON_HEADERS }));
  // Newest first, as the API lists them by default.
  const data = stored.input.map((item, i) => listedItem(item as Record<string, unknown>, `item_${id.replace(/^resp_/, '')}_${i}`)).reverse();
  const list = { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: false };
  return completed(new Response(JSON.stringify(list), { status: 200, headers: JSON_HEADERS }));
}

/** An input item as the API lists it: typed, with an id, a bare message's text as a content part. */
function listedItem(item: Record<string, unknown>, fallbackId: string): Record<string, unknown> {
  if (item.type !== undefined && item.type !== 'message') return { id: fallbackId, ...item };
  const content = typeof item.content === 'string' ? [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }] : item.content;
  return { id: fallbackId, ...item, type: 'message', status: item.status ?? 'completed', content };
}
