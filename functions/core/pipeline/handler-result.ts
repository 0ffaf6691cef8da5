import type { UsageStatus } from '../usage/usage-event';

/** How a request ended, for its usage event. */
export interface HandlerOutcome {
  status: UsageStatus;
  httpStatus: number;
  errorType: string | null;
}

/** A handler's response and the promise of its outcome (later than the response for streams). */
export interface HandlerResult {
  response: Response;
  finished: Promise<HandlerOutcome>;
}

/** The outcome of a response that is complete when returned. */
export function completed(response: Response): HandlerResult {
  return { response, finished: Promise.resolve({ status: 'ok', httpStatus: response.status, errorType: null }) };
}
