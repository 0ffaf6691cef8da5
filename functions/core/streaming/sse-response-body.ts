import { GatewayError, toGatewayError } from '../errors';
import type { ChatCompletionChunk, FinishReason, Usage } from '../openai/types';
import { ChunkNormalizer, type ChunkDefaults } from './chunk-normalizer';
import { encodeChunk, encodeError, SSE_DONE, SSE_HEARTBEAT } from './sse-encoder';

/** How a stream to the client ended. */
export interface StreamOutcome {
  status: 'ok' | 'error' | 'client_closed' | 'upstream_cut';
  /** The last usage the provider reported, if any. */
  usage: Usage | undefined;
  error: GatewayError | undefined;
  /** Characters of content, reasoning and tool arguments sent: the basis of an honest estimate. */
  completionChars: number;
  finishReason: FinishReason | null;
}

/** Inputs of {@link createSseBody}. */
export interface SseBodyOptions {
  /** The first chunk, already received (routing waits for it before answering). */
  first: ChatCompletionChunk;
  /** The rest of the provider stream. */
  rest: AsyncIterator<ChatCompletionChunk>;
  /** Send a final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  defaults: ChunkDefaults;
  heartbeatMs: number;
  idleMs: number;
  /** Aborts the upstream request (client gone, idle timeout). */
  abortUpstream(reason: unknown): void;
  /** Called exactly once when the stream is over, whatever the reason. */
  onDone(outcome: StreamOutcome): void;
}

/** The error sent when the upstream goes silent for longer than `idleMs`. */
export function idleTimeoutError(idleMs: number): GatewayError {
  return new GatewayError({
    status: 504,
    type: 'timeout_error',
    code: 'upstream_idle_timeout',
    message: `The provider sent nothing for ${idleMs} ms; the stream was ended.`,
    verdict: 'retryable',
    errorClass: 'timeout',
  });
}

/**
 * The SSE body of a streamed chat completion (CONVENTIONS 5: decode → translate → encode).
 * Pull-based, so a slow client slows the upstream read instead of growing a buffer; each chunk is
 * encoded and forwarded as soon as it arrives. During silences it sends `: ping` comments every
 * `heartbeatMs`; after `idleMs` of silence it aborts the upstream and ends with an error event.
 * A provider error after the first byte becomes `data: {"error":…}` and the end of the stream;
 * a clean end always sends `data: [DONE]`. Cancellation by the client aborts the upstream.
 */
export function createSseBody(options: SseBodyOptions): ReadableStream<Uint8Array> {
  const normalizer = new ChunkNormalizer(options.defaults);
  const outcome: StreamOutcome = { status: 'ok', usage: undefined, error: undefined, completionChars: 0, finishReason: null };
  let pendingFirst: ChatCompletionChunk | undefined = options.first;
  let last: ChunkDefaults = options.defaults;
  let finished = false;

  const finish = (status: StreamOutcome['status'], error?: GatewayError): void => {
    if (finished) return;
    finished = true;
    outcome.status = status;
    outcome.error = error;
    options.onDone(outcome);
  };

  /** Normalises and encodes one chunk; returns undefined when nothing is left for the client. */
  const encode = (chunk: ChatCompletionChunk): Uint8Array | undefined => {
    const { usage, forward } = normalizer.normalize(chunk);
    if (usage) outcome.usage = usage;
    if (!forward) return undefined;
    last = { id: chunk.id, created: chunk.created, model: chunk.model };
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      outcome.completionChars += (delta.content?.length ?? 0) + (delta.reasoning_content?.length ?? 0) + (delta.refusal?.length ?? 0);
      if (delta.tool_calls) for (const call of delta.tool_calls) outcome.completionChars += call.function?.arguments?.length ?? 0;
      if (choice.finish_reason) outcome.finishReason = choice.finish_reason;
    }
    return encodeChunk(chunk);
  };

  const nextWithTimers = async (controller: ReadableStreamDefaultController<Uint8Array>): Promise<IteratorResult<ChatCompletionChunk>> => {
    const next = options.rest.next();
    let idle: ReturnType<typeof setTimeout> | undefined;
    const idleExpired = new Promise<never>((_, reject) => {
      idle = setTimeout(() => reject(idleTimeoutError(options.idleMs)), options.idleMs);
    });
    const heartbeat = setInterval(() => {
      if (!finished) controller.enqueue(SSE_HEARTBEAT);
    }, options.heartbeatMs);
    try {
      return await Promise.race([next, idleExpired]);
    } catch (error) {
      next.catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
      clearTimeout(idle);
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (finished) return;
        if (pendingFirst) {
          const bytes = encode(pendingFirst);
          pendingFirst = undefined;
          if (bytes) {
            controller.enqueue(bytes);
            return;
          }
        }
        try {
          for (;;) {
            const result = await nextWithTimers(controller);
            if (finished) return;
            if (result.done) {
              if (options.includeUsage && outcome.usage) controller.enqueue(encodeChunk(normalizer.usageChunk(outcome.usage, last)));
              controller.enqueue(SSE_DONE);
              controller.close();
              finish('ok');
              return;
            }
            const bytes = encode(result.value);
            if (bytes) {
              controller.enqueue(bytes);
              return;
            }
          }
        } catch (thrown) {
          if (finished) return;
          const error = toGatewayError(thrown);
          if (error.code === 'client_closed') {
            controller.close();
            finish('client_closed', error);
            return;
          }
          if (error.code === 'upstream_idle_timeout') options.abortUpstream(error);
          controller.enqueue(encodeError(error.toBody()));
          controller.close();
          finish(error.errorClass === 'connection' || error.errorClass === 'timeout' ? 'upstream_cut' : 'error', error);
        }
      },
      cancel(reason) {
        if (finished) return;
        options.abortUpstream(reason);
        options.rest.return?.().catch(() => undefined);
        finish('client_closed');
      },
    },
    // Buffer at most one encoded chunk: forwarding is immediate, never accumulated.
    { highWaterMark: 1 },
  );
}
