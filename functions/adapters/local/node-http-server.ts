import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Gateway } from '../../core/gateway';
import { answerClientError } from './client-error';

/** A running local server. */
export interface LocalServer {
  readonly url: string;
  readonly server: Server;
  /**
   * Stops accepting connections, lets in-flight responses finish for up to `graceMs`, then closes
   * what is left, and waits for after-response work (usage events, settlement).
   */
  close(graceMs?: number): Promise<void>;
  /** Resolves once all after-response work started so far has finished. */
  idle(): Promise<void>;
}

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  host: string;
  port: number;
  /** The parser's limit on the request head (`limits.maxHeaderBytes`). */
  maxHeaderSize?: number;
  /**
   * The gateway's body limit (`limits.maxBodyBytes`): a body that declares a `content-length`
   * within it is read whole before the gateway is called (one buffer instead of a Web stream of
   * pieces); any other body is streamed and the gateway enforces the limit while reading.
   */
  maxBodyBytes?: number;
}

/**
 * Serves a gateway on `node:http`. Converts each request to a Web `Request` (with a signal in the
 * request context, aborted when the client disconnects) and streams the `Response` body out chunk
 * by chunk, honouring backpressure; a client that goes away cancels the body, which aborts the
 * upstream call.
 */
export async function startLocalServer(gateway: Gateway, options: LocalServerOptions): Promise<LocalServer> {
  const pending = new Set<Promise<unknown>>();
  const waitUntil = (promise: Promise<unknown>): void => {
    pending.add(promise);
    promise.finally(() => pending.delete(promise)).catch(() => undefined);
  };
  // Oversized headers are refused by the parser itself (431, see answerClientError).
  const server = createServer({ maxHeaderSize: options.maxHeaderSize }, (req, res) => {
    handle(gateway, req, res, waitUntil, options).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Internal gateway error.', type: 'server_error', param: null, code: 'internal_error' } }));
      } else {
        res.destroy(error as Error);
      }
    });
  });
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const idle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  return {
    url: `http://${host}:${address.port}`,
    server,
    idle,
    close: async (graceMs = 10_000) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(grace);
      await idle();
    },
  };
}

async function handle(gateway: Gateway, req: IncomingMessage, res: ServerResponse, waitUntil: (promise: Promise<unknown>) => void, options: LocalServerOptions): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const method = req.method ?? 'GET';
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const request = new Request(`http://${req.headers.host ?? options.host}${req.url ?? '/'}`, {
    method,
    headers,
    body: hasBody ? await requestBody(req, options.maxBodyBytes) : undefined,
    duplex: 'half',
  } as RequestInit);
  const response = await gateway(request, { waitUntil, clientSignal: abort.signal });
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, key) => (outHeaders[key] = value));
  if (!response.body) {
    res.writeHead(response.status, outHeaders);
    res.end();
    return;
  }
  if (!(outHeaders['content-type'] ?? '').startsWith('text/event-stream')) {
    // A JSON answer is complete in memory already: sent with a content-length in one write (one
    // syscall) instead of chunked in three. Only event streams are forwarded chunk by chunk.
    const bytes = new Uint8Array(await response.arrayBuffer());
    outHeaders['content-length'] = String(bytes.byteLength);
    res.writeHead(response.status, outHeaders);
    res.end(bytes);
    return;
  }
  res.writeHead(response.status, outHeaders);
  const reader = response.body.getReader();
  const onClose = (): void => {
    reader.cancel(new Error('client closed')).catch(() => undefined);
  };
  res.on('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    res.off('close', onClose);
  }
}

/**
 * The body to hand the gateway: read whole when its declared length is within `maxBodyBytes`
 * (cheaper than a Web stream of its pieces); else streamed, so the gateway refuses or counts it.
 * A client that goes away mid-body leaves a body that fails to read, which the gateway records as
 * the client closing.
 */
async function requestBody(req: IncomingMessage, maxBodyBytes: number | undefined): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (maxBodyBytes === undefined || !Number.isSafeInteger(declared) || declared > maxBodyBytes) return Readable.toWeb(req) as ReadableStream<Uint8Array>;
  // Read through events rather than `for await`: the async iterator of a Readable costs a promise
  // and an end-of-stream watcher per request, for a body that is usually one piece.
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      resolve(new ReadableStream<Uint8Array>({ start: (controller) => controller.error(error) }));
    };
    req.on('data', (part: Buffer) => parts.push(part));
    req.once('error', fail);
    // 'close' before a complete 'end': the client went away mid-body.
    req.once('close', () => fail(new Error('the client closed the connection before its body ended')));
    req.once('end', () => {
      if (settled || !req.complete) return;
      settled = true;
      resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
    });
  });
}
