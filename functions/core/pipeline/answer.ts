import { auditedEncoder, auditResponseBody } from '../audit/audit-trail';
import type { StreamAssembler } from '../audit/stream-transcript';
import type { CanonicalCompletion, CanonicalUsage } from '../model/response';
import type { ModelPrice } from '../pricing';
import type { GatewayRuntime } from '../runtime';
import { createSseBody, type StreamEncoder, type StreamOutcome } from '../streaming/sse-response-body';
import { accountUsage } from '../usage/accounting';
import type { RequestRecord } from '../usage/request-record';
import { estimateTokens, usageFromTokens } from '../usage/token-counts';
import { completed, type HandlerOutcome, type HandlerResult } from './handler-result';
import { logCompletion } from './request-log';
import { COST_HEADER, formatCostHeader } from './routing-headers';

const STREAM_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

/** A started stream and what answering with it needs, in any ingress protocol. */
export interface StreamAnswer<T> {
  /** The first item, already received, and the rest of the stream. */
  first: T;
  rest: AsyncIterator<T>;
  /** The protocol's encoder of the items. */
  encoder: StreamEncoder<T>;
  /** The protocol's reassembly of its stream, for a request audited in full. */
  assembler(): StreamAssembler;
  /** Size of the request body (with the content sent, the basis of an estimate when usage is missing). */
  promptBytes: number;
  /** The price of the target that answers. */
  price: ModelPrice;
  /** Routing headers for the client. */
  headers: Record<string, string>;
  /** Aborts the upstream call. */
  abort(reason: unknown): void;
}

/**
 * Answers with a stream (HTTP 200, SSE), the protocol-neutral part of every streaming endpoint:
 * the SSE body with heartbeats and the idle timeout on the injected clock, and, once the stream
 * is over whatever the reason, the one accounting step and the outcome for the usage event.
 */
export function streamAnswer<T>(runtime: GatewayRuntime, record: RequestRecord, answer: StreamAnswer<T>): HandlerResult {
  let resolveFinished: (outcome: HandlerOutcome) => void = () => undefined;
  const finished = new Promise<HandlerOutcome>((resolve) => (resolveFinished = resolve));
  const { promptBytes, price } = answer;
  const sse = createSseBody({
    first: answer.first,
    rest: answer.rest,
    encoder: auditedEncoder(record, answer.encoder, answer.assembler),
    estimateUsage: (completionChars) => usageFromTokens(estimateTokens(promptBytes, completionChars)),
    heartbeatMs: runtime.config.timeouts.heartbeatMs,
    idleMs: runtime.config.timeouts.idleMs,
    clock: runtime.deps.clock,
    abortUpstream: answer.abort,
    onDone: (outcome: StreamOutcome) => {
      accountUsage(record, { usage: outcome.usage, promptBytes, completionChars: outcome.completionChars }, price);
      resolveFinished({ status: outcome.status, httpStatus: outcome.status === 'client_closed' ? 499 : 200, errorType: outcome.error?.errorType ?? null });
    },
  });
  return { response: new Response(sse, { status: 200, headers: { ...STREAM_HEADERS, ...answer.headers } }), finished };
}

/** A whole answer, in the client's protocol, and what accounting needs from it. */
export interface JsonAnswer {
  /** The answer's body as the client gets it. */
  body: unknown;
  /** The usage the provider reported, if any. */
  usage: CanonicalUsage | undefined;
  /** Characters of content, reasoning and tool arguments (for an estimate when usage is missing). */
  completionChars: number;
  promptBytes: number;
  price: ModelPrice;
  headers: Record<string, string>;
}

/**
 * Answers with a whole answer (HTTP 200, JSON), the protocol-neutral part of every endpoint: the
 * optional completion log, the one accounting step and the `x-switchyard-cost-usd` header.
 */
export function jsonAnswer(runtime: GatewayRuntime, record: RequestRecord, answer: JsonAnswer): HandlerResult {
  logCompletion(runtime, answer.body, record);
  auditResponseBody(record, answer.body);
  accountUsage(record, { usage: answer.usage, promptBytes: answer.promptBytes, completionChars: answer.completionChars }, answer.price);
  const headers = { 'content-type': 'application/json', ...answer.headers, [COST_HEADER]: formatCostHeader(record.costMicroUsd) };
  return completed(new Response(JSON.stringify(answer.body), { status: 200, headers }));
}

/** Characters of content, reasoning and tool arguments in a canonical completion. */
export function completionChars(completion: CanonicalCompletion): number {
  let chars = 0;
  for (const part of completion.content) chars += part.type === 'tool_call' ? part.arguments.length : part.text.length;
  return chars;
}

/** A started stream's first item and the rest, as one stream again. */
export async function* withFirst<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
