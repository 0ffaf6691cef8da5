import { GatewayError, toGatewayError } from '../errors';
import type { CanonicalUsage } from '../model/response';
import type { Clock } from '../ports/clock';
import { SSE_HEARTBEAT } from './sse-encoder';

/** How a stream to the client ended. */
export interface StreamOutcome {
  status: 'ok' | 'error' | 'client_closed' | 'upstream_cut';
  /** The last usage the provider reported, if any. */
  usage: CanonicalUsage | undefined;
  error: GatewayError | undefined;
  /** Characters of content, reasoning and tool arguments sent: the basis of an honest estimate. */
  completionChars: number;
}

/**
 * How an ingress protocol writes a stream of items (its own events, already translated) as SSE:
 * the protocol's part of {@link createSseBody}. It also reads, from what passes, the usage and the
 * amount of content the accounting needs.
 */
export interface StreamEncoder<T> {
  /** The bytes of one item, or `undefined` when it has nothing for the client. */
  encode(item: T): Uint8Array | undefined;
  /** The last usage the items reported. */
  readonly usage: CanonicalUsage | undefined;
  /** Characters of content, reasoning and tool arguments encoded so far. */
  readonly completionChars: number;
  /**
   * The bytes that end a complete stream; `usage` is the final usage (estimated when none came).
   * May resolve later: work that must be done before the client sees the end (storing the
   * response it may retrieve at once) delays the last bytes, never the ones before.
   */
  finish(usage: CanonicalUsage): Uint8Array[] | Promise<Uint8Array[]>;
  /** The bytes that end a stream with an error after it started. */
  fail(error: GatewayError): Uint8Array;
}

/** Inputs of {@link createSseBody}. */
export interface SseBodyOptions<T> {
  /** The first item, already received (routing waits for it before answering). */
  first: T;
  /** The rest of the provider stream. */
  rest: AsyncIterator<T>;
  encoder: StreamEncoder<T>;
  /**
   * The usage to report when the provider reported none (some OpenAI-compatible servers, some
   * Gemini and Bedrock streams): an honest estimate from the characters sent.
   */
  estimateUsage(completionChars: number): CanonicalUsage;
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
 * The SSE body of a streamed answer in any protocol (CONVENTIONS 5: decode → translate →
 * encode; the protocol's {@link StreamEncoder} encodes). Pull-based, so a slow client slows the
 * upstream read instead of growing a buffer; each item is encoded and forwarded as soon as it
 * arrives. During silences it sends `: ping` comments every `heartbeatMs`; after `idleMs` of
 * silence it aborts the upstream and ends with the protocol's error event. A provider error after
 * the first byte also ends with it; a clean end sends the protocol's closing events.
 * Cancellation by the client aborts the upstream.
 */
export function createSseBody<T>(options: SseBodyOptions<T>): ReadableStream<Uint8Array> {
  const { encoder } = options;
  const outcome: StreamOutcome = { status: 'ok', usage: undefined, error: undefined, completionChars: 0 };
  let pendingFirst: T | undefined = options.first;
  let hasPending = true;
  let finished = false;

  const finish = (status: StreamOutcome['status'], error?: GatewayError): void => {
    if (finished) return;
    finished = true;
    stopWatchdog();
    outcome.status = status;
    outcome.error = error;
    outcome.usage = encoder.usage;
    outcome.completionChars = encoder.completionChars;
    options.onDone(outcome);
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

  const nextWithTimers = (controller: ReadableStreamDefaultController<Uint8Array>): Promise<IteratorResult<T>> => {
    controllerRef = controller;
    const next = options.rest.next();
    waitStartedAt = lastBeatAt = clock.now();
    // A timer still armed from an earlier wait fires early at worst, and re-arms from these stamps.
    if (!cancelWatchdog) arm(Math.min(options.heartbeatMs, options.idleMs));
    return new Promise<IteratorResult<T>>((resolve, reject) => {
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
        if (hasPending) {
          const bytes = encoder.encode(pendingFirst as T);
          pendingFirst = undefined;
          hasPending = false;
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
              for (const bytes of await encoder.finish(encoder.usage ?? options.estimateUsage(encoder.completionChars))) controller.enqueue(bytes);
              controller.close();
              finish('ok');
              return;
            }
            const bytes = encoder.encode(result.value);
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
          controller.enqueue(encoder.fail(error));
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
