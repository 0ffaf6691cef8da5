import type { StreamTranslator } from '../../core/ports/provider';
import type { SseEvent } from '../../core/streaming/sse-decoder';
import { streamError } from '../error-mapping';
import { upstreamCut } from '../http-provider';

/** The events that end a Responses stream. */
const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Statuses of the error codes an `error` event may carry, for the routing verdict. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = { rate_limit_exceeded: 429, server_error: 500, context_length_exceeded: 400, invalid_prompt: 400 };

/**
 * Reads a Responses stream for relay to a Responses client, event by event and unchanged: an
 * `error` event becomes a classified GatewayError (so a failure before the first event still
 * falls back, and after it the client gets `response.failed`), and a stream that ends without
 * its terminal event is an upstream cut, never a complete answer.
 */
export function createResponsesStreamReader(providerName: string): StreamTranslator<SseEvent> {
  let ended = false;
  return {
    push(event) {
      if (event.event === 'error') {
        let error: { code?: string | null; message?: string } = {};
        try {
          error = JSON.parse(event.data) as typeof error;
        } catch {
          // Not JSON: the message says so below.
        }
        const code = error.code ?? undefined;
        throw streamError(providerName, (code && STATUS_BY_CODE[code]) || 500, error.message ?? 'stream error', code);
      }
      if (event.event !== undefined && TERMINAL_EVENTS.has(event.event)) ended = true;
      return [event];
    },
    end() {
      if (!ended) throw upstreamCut(providerName, 'The Responses stream ended before its terminal event.');
      return [];
    },
  };
}
