import { GatewayError } from '../errors';
import type { Clock } from '../ports/clock';

/** The error used when the client goes away (HTTP 499 in usage events, as nginx logs it). */
export function clientClosedError(): GatewayError {
  return new GatewayError({ verdict: 'final', status: 499, type: 'client_closed', code: 'client_closed', message: 'The client closed the connection.', errorClass: 'client' });
}

/** The error used when a request exceeds `timeouts.totalMs`. */
function deadlineError(ms: number): GatewayError {
  return new GatewayError({ verdict: 'final', status: 504, type: 'timeout_error', code: 'deadline_exceeded', message: `The request did not complete within ${ms} ms.`, errorClass: 'timeout' });
}

/** A request-wide abort signal and the means to end its timer. */
export interface RequestSignal {
  signal: AbortSignal;
  /** Aborts everything (e.g. the client cancelled the response body). */
  abort(reason: unknown): void;
  /** Stops the deadline timer once the request is over. */
  dispose(): void;
}

/**
 * One signal for the whole request: aborted with a client-closed error when the client's request
 * signal fires, and with a deadline error after `totalMs` on `clock`. Every upstream attempt hangs off it.
 */
export function createRequestSignal(clientSignal: AbortSignal | undefined, totalMs: number, clock: Clock): RequestSignal {
  const controller = new AbortController();
  const onClientAbort = (): void => controller.abort(clientClosedError());
  if (clientSignal?.aborted) onClientAbort();
  else clientSignal?.addEventListener('abort', onClientAbort, { once: true });
  const cancelDeadline = clock.setTimer(totalMs, () => controller.abort(deadlineError(totalMs)));
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      cancelDeadline();
      clientSignal?.removeEventListener('abort', onClientAbort);
    },
  };
}
