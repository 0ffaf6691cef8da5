import { redactHeaders, redactLogFields } from '../logging/redact';
import type { GatewayRuntime } from '../runtime';
import type { RequestRecord } from '../usage/request-record';

/**
 * Request logging (`logging.requests`, off by default): prompts and completions are the users'
 * data and stay out of logs unless an operator turns this on to debug. When on, the request's
 * headers and body and a non-streamed completion are logged, with credentials redacted. Streamed
 * completions are not logged: collecting them would buffer the stream.
 */
export function logRequestBody(runtime: GatewayRuntime, request: Request, body: Record<string, unknown>, record: RequestRecord): void {
  if (!runtime.config.logging.requests) return;
  runtime.deps.logger.info('request', redactLogFields({ requestId: record.requestId, path: record.endpoint, headers: redactHeaders(request.headers), body }));
}

/** Logs a non-streamed completion when request logging is on (see {@link logRequestBody}). */
export function logCompletion(runtime: GatewayRuntime, completion: unknown, record: RequestRecord): void {
  if (!runtime.config.logging.requests) return;
  runtime.deps.logger.info('completion', redactLogFields({ requestId: record.requestId, completion }));
}
