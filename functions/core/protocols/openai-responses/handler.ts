import { invalidRequest } from '../../errors';
import type { SseEvent } from '../../streaming/sse-decoder';
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
import { fromResponsesUsage, NativeResponsesStreamEncoder } from './native';
import type { ResponsesUsage } from './types';
import { validateResponsesRequest } from './validate';

/**
 * `POST /v1/responses` (DESIGN §2): parse and validate the Responses body, decode it into the
 * canonical request, run the model call (the protocol-neutral pipeline), and answer as a
 * `response` object or as the Responses event stream: relayed as sent from a target that speaks
 * the Responses API (native pass-through), encoded from the canonical answer of any other. The
 * gateway keeps no responses yet: `previous_response_id` is refused with a 400 that says so, and a
 * translated response says `store: false`.
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
  if (answer.kind === 'native-completion') {
    // Passed through: the client gets the target's response as sent.
    const response = answer.body as { usage?: ResponsesUsage | null };
    return jsonAnswer(runtime, record, { body: response, usage: fromResponsesUsage(response.usage), completionChars: 0, promptBytes: size, price, headers });
  }
  const stream = { promptBytes: size, price, headers, abort: (reason: unknown) => started.controller.abort(reason) };
  return answer.kind === 'native-stream'
    ? streamAnswer(runtime, record, { ...stream, first: answer.first as SseEvent, rest: answer.rest as AsyncIterator<SseEvent>, encoder: new NativeResponsesStreamEncoder() })
    : streamAnswer(runtime, record, { ...stream, first: answer.first, rest: answer.rest, encoder: new ResponsesStreamEncoder(identity) });
}
