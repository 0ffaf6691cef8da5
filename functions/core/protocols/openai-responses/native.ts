import type { GatewayError } from '../../errors';
import type { CanonicalUsage } from '../../model/response';
import type { SseEvent } from '../../streaming/sse-decoder';
import { encodeSseEvent, joinBytes } from '../../streaming/sse-encoder';
import type { StreamEncoder } from '../../streaming/sse-response-body';
import { failureCode } from './encode';
import type { ResponsesUsage } from './types';

/** A Responses usage object as canonical usage. */
export function fromResponsesUsage(usage: Partial<ResponsesUsage> | null | undefined): CanonicalUsage | undefined {
  if (!usage || typeof usage.input_tokens !== 'number' || typeof usage.output_tokens !== 'number') return undefined;
  const canonical: CanonicalUsage = { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
  const cached = usage.input_tokens_details?.cached_tokens;
  if (cached) canonical.cachedInputTokens = cached;
  const reasoning = usage.output_tokens_details?.reasoning_tokens;
  if (reasoning) canonical.reasoningTokens = reasoning;
  return canonical;
}

/** The events whose `response` carries the final usage. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Relays a Responses stream from a target that speaks the Responses API, event by event as it
 * was framed, reading the usage from the terminal event. A failure after the start ends the
 * stream with `response.failed`, numbered after the last event relayed.
 */
export class NativeResponsesStreamEncoder implements StreamEncoder<SseEvent> {
  /**
   * @param onComplete receives the target's final response object (to store it); the terminal
   * event is held back until that is done, so a client that retrieves or continues the response
   * as soon as its stream ended finds it. The bytes are the target's, unchanged.
   */
  constructor(private readonly onComplete: (response: Record<string, unknown>) => Promise<void> | void = () => undefined) {}

  usage: CanonicalUsage | undefined;
  completionChars = 0;
  private lastSequence = -1;
  private responseId: string | undefined;
  /** The target's terminal event, relayed once its response is stored. */
  private terminal: Uint8Array | undefined;
  private storing: Promise<void> | void = undefined;

  encode(event: SseEvent): Uint8Array | undefined {
    // Only the fields the relay needs are read, without parsing every delta.
    const sequence = /"sequence_number":(\d+)/.exec(event.data)?.[1];
    if (sequence !== undefined) this.lastSequence = Number(sequence);
    const bytes = encodeSseEvent(event.data, event.event);
    if (event.event === 'response.created') this.responseId = /"id":"(resp_[^"]+)"/.exec(event.data)?.[1];
    else if (event.event?.endsWith('.delta')) this.completionChars += /"delta":"((?:[^"\\]|\\.)*)"/.exec(event.data)?.[1]?.length ?? 0;
    else if (event.event !== undefined && FINAL_EVENTS.has(event.event)) {
      this.readUsage(event.data);
      this.terminal = bytes;
      return undefined;
    }
    // Anything after a terminal event keeps its place behind it.
    const held = this.terminal;
    this.terminal = undefined;
    return held ? joinBytes([held, bytes]) : bytes;
  }

  /** The target's terminal event, once the response is stored. */
  async finish(): Promise<Uint8Array[]> {
    await this.storing;
    return this.terminal ? [this.terminal] : [];
  }

  fail(error: GatewayError): Uint8Array {
    // The target had finished: a failure after its terminal event changes nothing the client needs.
    if (this.terminal) return this.terminal;
    const response = { id: this.responseId ?? null, object: 'response', status: 'failed', error: { code: failureCode(error), message: error.message }, output: [], usage: null };
    return encodeSseEvent({ type: 'response.failed', sequence_number: this.lastSequence + 1, response }, 'response.failed');
  }

  private readUsage(data: string): void {
    try {
      const response = (JSON.parse(data) as { response?: Record<string, unknown> & { usage?: ResponsesUsage | null; status?: string } }).response;
      this.usage = fromResponsesUsage(response?.usage) ?? this.usage;
      if (response && response.status !== 'failed') this.storing = this.onComplete(response);
    } catch {
      // Not JSON: the usage stays what it was (estimated at the end if none came).
    }
  }
}
