import type { GatewayError } from '../../errors';
import type { CanonicalUsage } from '../../model/response';
import type { SseEvent } from '../../streaming/sse-decoder';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import type { StreamEncoder } from '../../streaming/sse-response-body';
import { anthropicErrorBody } from './errors';

/** Anthropic usage as sent (`message_start`, `message_delta`, a message's `usage`); any field may be missing. */
export interface MessagesWireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/**
 * Anthropic usage in the canonical form. Anthropic's `input_tokens` excludes cache reads and
 * writes while the canonical input count includes every prompt token (DESIGN §9), so the three
 * are added; the cached and cache-write parts are kept apart so pricing can charge their rates.
 */
export function fromMessagesUsage(usage: MessagesWireUsage | undefined): CanonicalUsage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const canonical: CanonicalUsage = { inputTokens: (usage?.input_tokens ?? 0) + cacheRead + cacheWrite, outputTokens: usage?.output_tokens ?? 0, cachedInputTokens: cacheRead, cacheWriteTokens: cacheWrite };
  const reasoning = usage?.output_tokens_details?.thinking_tokens;
  if (typeof reasoning === 'number') canonical.reasoningTokens = reasoning;
  return canonical;
}

/**
 * Merges the usage of `message_start` with the later, cumulative usage of `message_delta`:
 * a field present in the delta wins (it is the final count, e.g. `input_tokens` revised upwards
 * or cache counts that only arrive at the end), an absent one keeps the start value.
 */
export function mergeMessagesUsage(start: MessagesWireUsage | undefined, delta: MessagesWireUsage | undefined): MessagesWireUsage | undefined {
  if (!delta) return start;
  if (!start) return delta;
  const merged: MessagesWireUsage = { ...start };
  for (const [key, value] of Object.entries(delta) as Array<[keyof MessagesWireUsage, MessagesWireUsage[keyof MessagesWireUsage]]>) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/**
 * Relays an Anthropic target's stream to an Anthropic client unchanged (native pass-through,
 * DESIGN §1): every event is written back exactly as Anthropic framed it (`event:` then `data:`),
 * so the bytes the client reads are the bytes the upstream sent. On the way it reads what the
 * gateway needs: the usage of `message_start` merged with the final counts of `message_delta`,
 * and the characters of the deltas (for an honest estimate when a stream is cut).
 */
export class NativeMessagesStreamEncoder implements StreamEncoder<SseEvent> {
  usage: CanonicalUsage | undefined;
  completionChars = 0;
  private wireUsage: MessagesWireUsage | undefined;

  encode(event: SseEvent): Uint8Array | undefined {
    if (event.event === 'message_start' || event.event === 'message_delta') this.readUsage(event);
    else if (event.event === 'content_block_delta') this.completionChars += deltaChars(event.data);
    return encodeSseEvent(event.data, event.event);
  }

  /** Anthropic's own `message_delta` and `message_stop` already ended the stream. */
  finish(): Uint8Array[] {
    return [];
  }

  fail(error: GatewayError): Uint8Array {
    return encodeSseEvent(anthropicErrorBody(error), 'error');
  }

  private readUsage(event: SseEvent): void {
    let parsed: { message?: { usage?: MessagesWireUsage }; usage?: MessagesWireUsage };
    try {
      parsed = JSON.parse(event.data) as typeof parsed;
    } catch {
      return;
    }
    const usage = event.event === 'message_start' ? parsed.message?.usage : parsed.usage;
    if (!usage) return;
    this.wireUsage = mergeMessagesUsage(this.wireUsage, usage);
    this.usage = fromMessagesUsage(this.wireUsage);
  }
}

/** The characters a `content_block_delta` adds (text, thinking or tool input). */
function deltaChars(data: string): number {
  try {
    const delta = (JSON.parse(data) as { delta?: { text?: string; thinking?: string; partial_json?: string } }).delta;
    return (delta?.text?.length ?? 0) + (delta?.thinking?.length ?? 0) + (delta?.partial_json?.length ?? 0);
  } catch {
    return 0;
  }
}
