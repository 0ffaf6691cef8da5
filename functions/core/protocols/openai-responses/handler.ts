import { GatewayError, invalidRequest } from '../../errors';
import { callRoute } from '../../pipeline/call-route';
import type { HandlerResult } from '../../pipeline/handler-result';
import { completionChars, jsonAnswer, streamAnswer } from '../../pipeline/answer';
import { readJsonBody } from '../../pipeline/read-body';
import type { RequestSignal } from '../../pipeline/request-signal';
import { logRequestBody } from '../../pipeline/request-log';
import type { GatewayRuntime } from '../../runtime';
import type { RequestRecord } from '../../usage/request-record';
import { estimateTokens, usageFromTokens } from '../../usage/token-counts';
import { decodeResponsesRequest } from './decode';
import { encodeResponse, ResponsesStreamEncoder, type ResponseIdentity } from './encode';
import { validateResponsesRequest } from './validate';

/**
 * `POST /v1/responses` (DESIGN §2): parse and validate the Responses body, decode it into the
 * canonical request, run the model call (the protocol-neutral pipeline), and answer as a
 * `response` object or as the Responses event stream, translated from the canonical answer of
 * any target. Stored responses are not kept yet: `previous_response_id` is refused with a 400
 * that says so, and every response says `store: false`.
 */
export async function handleResponses(runtime: GatewayRuntime, request: Request, record: RequestRecord, requestSignal: RequestSignal): Promise<HandlerResult> {
  const { body: raw, size } = await readJsonBody(request, runtime.config.limits);
  const body = validateResponsesRequest(raw, runtime.config.limits);
  if (body.previous_response_id) {
    throw invalidRequest("'previous_response_id' is not supported by this gateway yet: it keeps no responses. Send the conversation in 'input' instead.", 'previous_response_id', 'unsupported_parameter');
  }
  logRequestBody(runtime, request, raw, record);
  const canonical = decodeResponsesRequest(body);
  // A target's forced `params` are merged into the client's body, in its protocol's names, as on chat.
  const requestFor = (params: Record<string, unknown> | undefined) => (params ? decodeResponsesRequest(validateResponsesRequest({ ...raw, ...params }, runtime.config.limits)) : canonical);
  const { started, headers, price } = await callRoute(runtime, request, record, requestSignal, { request: canonical, bodyBytes: size, requestFor: (target) => requestFor(target.params) });
  const identity: ResponseIdentity = { id: `resp_${record.requestId.replace(/^req_/, '')}`, createdAt: Math.floor(record.startedAtMs / 1000), model: started.target.model, request: body };
  const answer = started.value;

  if (answer.kind === 'completion') {
    const chars = completionChars(answer.completion);
    const usage = answer.completion.usage ?? usageFromTokens(estimateTokens(size, chars));
    return jsonAnswer(runtime, record, { body: encodeResponse(answer.completion, identity, usage), usage: answer.completion.usage, completionChars: chars, promptBytes: size, price, headers });
  }
  if (answer.kind === 'stream') {
    return streamAnswer(runtime, record, { first: answer.first, rest: answer.rest, encoder: new ResponsesStreamEncoder(identity), promptBytes: size, price, headers, abort: (reason) => started.controller.abort(reason) });
  }
  // No provider answers a Responses client natively yet: a native answer here is a provider bug.
  started.controller.abort(new Error('unexpected native answer'));
  throw new GatewayError({ status: 502, type: 'upstream_error', code: 'bad_upstream_response', message: `Provider '${started.target.providerName}' answered in a format this endpoint cannot relay.`, verdict: 'final', errorClass: 'server_error', provider: started.target.providerName });
}
