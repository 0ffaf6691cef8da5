import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake upstream received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** `body` parsed as JSON when it is JSON. */
  json: unknown;
}

/** Decides how the fake upstream answers one request. */
export type UpstreamHandler = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** A fake provider server on 127.0.0.1 with an ephemeral port. */
export interface FakeUpstream {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replaces the handler for subsequent requests. */
  setHandler(handler: UpstreamHandler): void;
  close(): Promise<void>;
}

/** Starts a fake upstream that records every request and answers with `handler`. */
export async function startFakeUpstream(handler: UpstreamHandler): Promise<FakeUpstream> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      requests.push(recorded);
      Promise.resolve(current(recorded, res)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Writes `body` in pieces of `pieceSize` bytes (1 = every byte separately), waiting for each write
 * to be flushed, then ends the response. Proves decoders handle any split.
 */
export async function writeInPieces(res: ServerResponse, body: Buffer | string, pieceSize: number): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    const piece = bytes.subarray(offset, Math.min(bytes.length, offset + pieceSize));
    await new Promise<void>((resolve, reject) => res.write(piece, (error) => (error ? reject(error) : resolve())));
  }
  res.end();
}

/** Answers with a JSON body and status. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
