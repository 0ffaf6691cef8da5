import { GatewayError, toGatewayError } from '../errors';
import type { ChatCompletionChunk, Usage } from '../protocols/openai-chat/types';
import type { Clock } from '../ports/clock';
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
}

/** Inputs of {@link createSseBody}. */
export interface SseBodyOptions {
  /** The first chunk, already received (routing waits for it before answering). */
  first: ChatCompletionChunk;
  /** The rest of the provider stream. */
  rest: AsyncIterator<ChatCompletionChunk>;
  /** Send a final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /**
   * The usage to report when the provider reported none (some OpenAI-compatible servers, some
   * Gemini and Bedrock streams): an honest estimate from the characters sent, so the usage chunk
   * the client asked for is always the last chunk.
   */
  estimateUsage(completionChars: number): Usage;
  defaults: ChunkDefaults;
  heartbeatMs: number;
  idleMs: number;
  /** The injected clock: heartbeats and the idle timeout run on its timers. */
  clock: Clock;
  /** Aborts the upstream request (client gone, idle timeout). */
  abortUpstream(reason: unknown): void;
  /** Called exactly once when the stream is over, whatever the reason. */
  onDone(outcome: StreamOutcome): void;
}

/** The error sent when the upstream goes silent for longer than `idleMs`. */
function idleTimeoutError(idleMs: number): GatewayError {
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
  const outcome: StreamOutcome = { status: 'ok', usage: undefined, error: undefined, completionChars: 0 };
  let pendingFirst: ChatCompletionChunk | undefined = options.first;
  let last: ChunkDefaults = options.defaults;
  let finished = false;

  const finish = (status: StreamOutcome['status'], error?: GatewayError): void => {
    if (finished) return;
    finished = true;
    stopWatchdog();
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
    }
    return encodeChunk(chunk);
  };

  // One watchdog timer per stream instead of a timeout and an interval per chunk: a chunk only
  // records when the wait began, and the timer, when it fires, works out from the timestamps
  // whether a heartbeat or the idle error is due, then re-arms itself for the next deadline.
  // Fast streams therefore create about one timer in total, not two per chunk.
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
  let waiter: { reject(error: unknown): void } | undefined;
  let waitStartedAt = 0;
  let lastBeatAt = 0;
  const { clock } = options;
  let cancelWatchdog: (() => void) | undefined;

  const arm = (delayMs: number): void => {
    cancelWatchdog = clock.setTimer(Math.max(1, delayMs), onWatchdog);
  };
  function onWatchdog(): void {
    cancelWatchdog = undefined;
    if (finished || !waiter) return;
    const now = clock.now();
    const idleAt = waitStartedAt + options.idleMs;
    if (now >= idleAt) {
      waiter.reject(idleTimeoutError(options.idleMs));
      return;
    }
    if (now - lastBeatAt >= options.heartbeatMs) {
      controllerRef?.enqueue(SSE_HEARTBEAT);
      lastBeatAt = now;
    }
    arm(Math.min(lastBeatAt + options.heartbeatMs, idleAt) - now);
  }

  const nextWithTimers = (controller: ReadableStreamDefaultController<Uint8Array>): Promise<IteratorResult<ChatCompletionChunk>> => {
    controllerRef = controller;
    const next = options.rest.next();
    waitStartedAt = lastBeatAt = clock.now();
    // A timer still armed from an earlier wait fires early at worst, and re-arms from these stamps.
    if (!cancelWatchdog) arm(Math.min(options.heartbeatMs, options.idleMs));
    return new Promise<IteratorResult<ChatCompletionChunk>>((resolve, reject) => {
      waiter = {
        reject: (error) => {
          waiter = undefined;
          next.catch(() => undefined);
          reject(error);
        },
      };
      next.then(
        (result) => {
          if (!waiter) return;
          waiter = undefined;
          resolve(result);
        },
        (error: unknown) => {
          if (!waiter) return;
          waiter = undefined;
          reject(error);
        },
      );
    });
  };
  const stopWatchdog = (): void => {
    cancelWatchdog?.();
    cancelWatchdog = undefined;
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
              if (options.includeUsage) controller.enqueue(encodeChunk(normalizer.usageChunk(outcome.usage ?? options.estimateUsage(outcome.completionChars), last)));
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
