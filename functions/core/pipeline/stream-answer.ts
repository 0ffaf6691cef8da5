import type { ModelPrice } from '../pricing';
import type { GatewayRuntime } from '../runtime';
import { createSseBody, type StreamEncoder, type StreamOutcome } from '../streaming/sse-response-body';
import { accountUsage } from '../usage/accounting';
import type { RequestRecord } from '../usage/request-record';
import { estimateTokens, usageFromTokens } from '../usage/token-counts';
import type { HandlerOutcome, HandlerResult } from './handler-result';

const STREAM_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

/** A started stream and what answering with it needs, in any ingress protocol. */
export interface StreamAnswer<T> {
  /** The first item, already received, and the rest of the stream. */
  first: T;
  rest: AsyncIterator<T>;
  /** The protocol's encoder of the items. */
  encoder: StreamEncoder<T>;
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
    encoder: answer.encoder,
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
