import { PassThrough, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { Context } from 'aws-lambda';

/**
 * A faithful emulation of the parts of the Node.js Lambda runtime (aws-lambda-nodejs-runtime-
 * interface-client) that response streaming relies on, so the bundles `cdk synth` produced run
 * here exactly as they would in Lambda:
 * - the `awslambda` global with `streamifyResponse(handler)` (marks the handler with the
 *   `aws.lambda.runtime.handler.streaming` symbol) and `HttpResponseStream.from(stream, prelude)`;
 * - `HttpResponseStream.from` sets the content type to
 *   `application/vnd.awslambda.http-integration-response` and, on the first write, emits
 *   `JSON.stringify(prelude)` followed by 8 NUL bytes before the body;
 * - a streaming handler is called as `(event, responseStream, context)`; a buffered one as
 *   `(event, context)`.
 */

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
const DELIMITER_LENGTH = 8;
/** Content type the runtime sends when the handler used `HttpResponseStream.from`. */
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** The response stream the runtime hands to a streaming handler. */
class EmulatedResponseStream extends Writable {
  contentType = 'application/octet-stream';
  private onBeforeFirstWrite: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
  private wrote = false;

  constructor(private readonly sink: PassThrough) {
    super();
  }

  /** Like the runtime, refuses a content type change once bytes have been sent. */
  setContentType(contentType: string): void {
    if (this.wrote) throw new Error('Tried to set content type after the first write.');
    this.contentType = contentType;
  }

  /** @internal Used by {@link HttpResponseStream.from}. */
  setBeforeFirstWrite(hook: (write: (chunk: string | Uint8Array) => void) => void): void {
    this.onBeforeFirstWrite = hook;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.wrote) {
      this.wrote = true;
      this.onBeforeFirstWrite?.((part) => this.sink.write(part));
    }
    this.sink.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.wrote) {
      this.wrote = true;
      this.onBeforeFirstWrite?.((part) => this.sink.write(part));
    }
    this.sink.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.sink.writableEnded) this.sink.destroy(error ?? undefined);
    callback(error);
  }
}

/** `awslambda.HttpResponseStream` as the runtime defines it. */
class HttpResponseStream {
  static from(underlyingStream: EmulatedResponseStream, prelude: Record<string, unknown>): EmulatedResponseStream {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream.setBeforeFirstWrite((write) => {
      write(metadataPrelude);
      write(new Uint8Array(DELIMITER_LENGTH));
    });
    return underlyingStream;
  }
}

type AnyHandler = ((...args: unknown[]) => unknown) & { [HANDLER_STREAMING]?: string };

/**
 * Installs the `awslambda` global (call before loading a bundle, as the runtime does) on
 * `target`: the global object of the realm the bundles run in (under Jest, the process's main
 * realm, `vm.runInThisContext('globalThis')`, not the test sandbox).
 */
export function installAwsLambdaGlobal(target: object = globalThis): void {
  (target as Record<string, unknown>).awslambda = {
    streamifyResponse: (handler: AnyHandler) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      return handler;
    },
    HttpResponseStream,
  };
}

/** True when `handler` was wrapped with `awslambda.streamifyResponse`. */
function isStreamingHandler(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as AnyHandler)[HANDLER_STREAMING] === STREAM_RESPONSE;
}

/** A Lambda context like the runtime builds for one invocation. */
export function lambdaContext(functionName: string, requestId: string, timeoutMs = 900_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'emulated',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One streaming invocation in progress. */
export interface StreamingInvocation {
  /** The raw bytes the runtime would send to the Lambda service (prelude, NULs, body). */
  readonly raw: Readable;
  /** Settles when the handler's promise does (rejects with the handler's error). */
  readonly done: Promise<void>;
  /** The stream handed to the handler; destroy it to emulate a dropped connection. */
  readonly responseStream: EmulatedResponseStream;
}

/** Invokes a streaming handler the way the runtime does. */
export function invokeStreaming(handler: unknown, event: unknown, context: Context): StreamingInvocation {
  if (!isStreamingHandler(handler)) throw new Error('handler is not wrapped with awslambda.streamifyResponse');
  const raw = new PassThrough();
  const responseStream = new EmulatedResponseStream(raw);
  const done = Promise.resolve()
    .then(() => (handler as AnyHandler)(event, responseStream, context))
    .then(() => undefined);
  // The runtime reports a failure after the first write as an error trailer; the body ends.
  done.catch(() => {
    if (!raw.writableEnded) raw.end();
  });
  return { raw, done, responseStream };
}

/** Invokes a buffered (non-streaming) handler and returns its result. */
export async function invokeBuffered(handler: unknown, event: unknown, context: Context): Promise<unknown> {
  if (typeof handler !== 'function') throw new Error('handler is not a function');
  return (handler as AnyHandler)(event, context);
}

/** What API Gateway makes of a streamed Lambda response. */
export interface StreamedHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  /** The body after the prelude, as it arrives. */
  body: AsyncIterable<Buffer>;
}

/**
 * Splits the runtime's raw output like API Gateway does: with the http-integration content type,
 * the JSON prelude up to 8 NUL bytes gives status and headers; everything after is the body.
 */
export async function readStreamedHttpResponse(invocation: StreamingInvocation): Promise<StreamedHttpResponse> {
  const iterator = invocation.raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buffered = Buffer.alloc(0);
  const delimiter = Buffer.alloc(DELIMITER_LENGTH);
  for (;;) {
    if (invocation.responseStream.contentType !== HTTP_INTEGRATION_CONTENT_TYPE && buffered.length > 0) break;
    const at = buffered.indexOf(delimiter);
    if (at >= 0) {
      const prelude = JSON.parse(buffered.subarray(0, at).toString('utf8')) as { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
      const rest = buffered.subarray(at + DELIMITER_LENGTH);
      return {
        statusCode: prelude.statusCode ?? 200,
        headers: prelude.headers ?? {},
        cookies: prelude.cookies ?? [],
        body: continueWith(rest, iterator),
      };
    }
    const next = await iterator.next();
    if (next.done) break;
    buffered = Buffer.concat([buffered, next.value]);
  }
  return { statusCode: 200, headers: { 'content-type': invocation.responseStream.contentType }, cookies: [], body: continueWith(buffered, iterator) };
}

async function* continueWith(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}
