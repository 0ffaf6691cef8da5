import { SseDecoder } from '../streaming/sse-decoder';

/** A JSON object of an event or a response. */
export type Json = Record<string, unknown>;

/**
 * One ingress protocol's reassembly of its stream: fed the JSON object of each event the client
 * received, it gives the protocol's whole-response shape (a `chat.completion`, an Anthropic
 * `message`, a Responses `response`). Each protocol owns its own, next to its encoder.
 */
export interface StreamAssembler {
  add(event: Json): void;
  result(): Json;
}

/**
 * Reassembles a streamed answer, as the client received it, for the `full` audit record: it reads
 * the very bytes sent (translated or passed through natively alike), so the record is what the
 * client got, not what the gateway meant to send.
 */
export interface StreamTranscript {
  /** Keeps a piece of the SSE bytes sent to the client (read later: pushing costs the stream nothing). */
  push(bytes: Uint8Array): void;
  /** The response reassembled from every piece pushed so far (whatever arrived, when the stream was cut). */
  result(): Json;
}

/**
 * The transcript of an SSE stream: keeps the pieces as they pass and decodes them only when the
 * result is asked for, after the stream, feeding each event's JSON to the protocol's assembler —
 * so the client's chunks are never held back by the audit's parsing.
 */
export class SseTranscript implements StreamTranscript {
  private readonly decoder = new SseDecoder();
  private pending: Uint8Array[] = [];

  constructor(private readonly assembler: StreamAssembler) {}

  push(bytes: Uint8Array): void {
    this.pending.push(bytes);
  }

  result(): Json {
    const pieces = this.pending;
    this.pending = [];
    for (const bytes of pieces) {
      for (const event of this.decoder.push(bytes)) {
        if (event.data === '[DONE]') continue;
        const parsed = parseObject(event.data);
        if (parsed) this.assembler.add(parsed);
      }
    }
    return this.assembler.result();
  }
}

/** `text` parsed as a JSON object, or `undefined` when it is not one. */
export function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `value` is a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
/** `value` when it is a string, else the empty string: for appending deltas. */
export const text = (value: unknown): string => (typeof value === 'string' ? value : '');
