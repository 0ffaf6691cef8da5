import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/executionModeStreamifyResponse';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Gateway } from '../../core/gateway';
import { toStreamingResponse, toWebRequest, type StreamingHandlerResponse } from './api-gateway-http';
import { principalFromContext } from './principal-context';

/** Options of {@link createStreamingHandler}. */
export interface StreamingHandlerOptions {
  /**
   * Runs after the body was streamed (or failed) and the request's own work settled: flush what
   * the function buffers (usage events, then metrics, so an undelivered event is counted).
   */
  afterResponse(): Promise<void>;
}

/** Work of one invocation that outlives the handler's return (the body still streams). */
interface Invocation {
  readonly abort: AbortController;
  readonly pending: Promise<unknown>[];
  bodyComplete: boolean;
}

/**
 * The Lambda handler of a gateway behind API Gateway REST in response-streaming mode (the
 * reusable adapter; `functions/handlers/gateway.ts` only wires it). It converts the proxy event
 * to a `Request`, calls the core with the authorizer's principal, and returns status and headers
 * with the body as a stream; middy writes them through `awslambda.HttpResponseStream.from` and
 * pipes the body as it is produced. In `requestEnd` (after the body or its failure, DESIGN §9) it
 * aborts the upstream call if the body did not complete, waits for the request's settlement and
 * usage event (`waitUntil`), then runs {@link StreamingHandlerOptions.afterResponse}, because
 * Powertools' `logMetrics` middleware would flush before the body.
 *
 * Lambda does not tell a function that its client disconnected (DESIGN §9): the invocation runs
 * on, so a generation whose client left continues to its end, bounded by the output limit the
 * budget reserved for and by `timeouts.idleMs` / `totalMs`, and is charged for what it produced.
 */
export function createStreamingHandler(gateway: Gateway, options: StreamingHandlerOptions) {
  const invocations = new WeakMap<Context, Invocation>();
  return middy<APIGatewayProxyEvent, StreamingHandlerResponse>({
    executionMode: executionModeStreamifyResponse,
    requestEnd: async (request) => {
      const invocation = invocations.get(request.context);
      if (!invocation) return;
      invocations.delete(request.context);
      if (!invocation.bodyComplete) invocation.abort.abort(new Error('response stream closed before the body was complete'));
      await Promise.allSettled(invocation.pending);
      await options.afterResponse();
    },
  }).handler(async (event, context) => {
    const invocation: Invocation = { abort: new AbortController(), pending: [], bodyComplete: false };
    invocations.set(context, invocation);
    const response = await gateway(toWebRequest(event), {
      principal: principalFromContext(event.requestContext.authorizer),
      clientSignal: invocation.abort.signal,
      waitUntil: (promise) => invocation.pending.push(promise),
      // Lambda stops the invocation at its function timeout, settled or not.
      deadline: Date.now() + context.getRemainingTimeInMillis(),
    });
    const result = toStreamingResponse(response);
    if (typeof result.body === 'string') invocation.bodyComplete = true;
    else result.body.once('end', () => (invocation.bodyComplete = true));
    return result;
  });
}
