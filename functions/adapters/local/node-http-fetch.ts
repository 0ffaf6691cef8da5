import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * The `fetch` the local server gives providers: the Web-standard signature on top of
 * `node:http`/`node:https` with keep-alive agents. Node 20's built-in fetch (undici) costs about
 * 0.5 ms of CPU per call on a small VM and writes a request's head and body in separate
 * syscalls; this writes them in one and costs a fraction. It implements the part of fetch the
 * providers use — a method, headers, a string or byte body, an AbortSignal — and answers with a
 * real Web `Response` as soon as the headers arrive, its body a Web stream fed from the response's
 * events, with backpressure.
 *
 * A failed connection rejects with a `TypeError` (as fetch does); an abort rejects with the
 * signal's reason.
 */
export function createNodeHttpFetch(): typeof fetch {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) return Promise.reject(new TypeError('createNodeHttpFetch: pass a URL and init, not a Request.'));
    const url = input instanceof URL ? input : new URL(input);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const body = bodyBytes(init.body);
    const headers = headersOf(init.headers);
    if (body) headers['content-length'] = String(body.byteLength);
    const secure = url.protocol === 'https:';
    return new Promise<Response>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(url, { method: init.method ?? 'GET', headers, agent: secure ? agents.https : agents.http });
      const onAbort = (): void => {
        req.destroy();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      req.on('error', (error) => {
        done();
        reject(new TypeError('fetch failed', { cause: error }));
      });
      req.on('response', (res) => {
        const responseHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        const init = { status: res.statusCode ?? 502, statusText: res.statusMessage ?? '', headers: responseHeaders };
        // The Response is resolved as soon as the headers arrive, so callers can tell "answered"
        // from "silent"; an abort afterwards destroys the request's socket, which errors the body
        // the provider is reading, so the abort listener stays until the body is over.
        const noBody = res.statusCode === 204 || res.statusCode === 304;
        res.once('close', done);
        resolve(new Response(noBody ? null : webBodyOf(res), init));
      });
      req.end(body);
    });
  };
}

/** Body chunks a Web body may hold unread before the socket is paused (backpressure). */
const BODY_HIGH_WATER_MARK = 16;

/**
 * A response's body as a Web stream fed from its `data` events: a fraction of the CPU of
 * `Readable.toWeb`, which matters for SSE, where it runs for every event. When the reader falls
 * {@link BODY_HIGH_WATER_MARK} chunks behind, the response is paused until it reads again, so a
 * slow consumer slows the upstream read instead of growing a buffer. A response that ends short
 * (its socket closed or destroyed mid-body) errors the stream as fetch does.
 */
function webBodyOf(res: IncomingMessage): ReadableStream<Uint8Array> {
  let over = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (cause: unknown): void => {
          if (over) return;
          over = true;
          controller.error(new TypeError('fetch failed', { cause }));
        };
        res.on('data', (part: Buffer) => {
          if (over) return;
          controller.enqueue(part);
          if ((controller.desiredSize ?? 1) <= 0) res.pause();
        });
        res.once('end', () => {
          if (over) return;
          over = true;
          controller.close();
        });
        res.once('error', fail);
        res.once('close', () => fail(new Error('the response ended before its body was complete')));
      },
      pull() {
        if (res.isPaused()) res.resume();
      },
      cancel() {
        over = true;
        res.destroy();
      },
    },
    { highWaterMark: BODY_HIGH_WATER_MARK },
  );
}

function headersOf(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [name, value] of headers instanceof Headers ? headers.entries() : headers) out[(name as string).toLowerCase()] = value as string;
    return out;
  }
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function bodyBytes(body: RequestInit['body']): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('createNodeHttpFetch: only string and byte bodies are supported.');
}
