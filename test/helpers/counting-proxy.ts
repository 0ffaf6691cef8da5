import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call that went through a {@link CountingProxy}. */
interface ProxiedCall {
  /** The AWS JSON protocol operation (`DynamoDB_20120810.TransactWriteItems` → `TransactWriteItems`). */
  operation: string;
  /** `performance.now()` when the call arrived. */
  at: number;
}

/** An HTTP proxy on 127.0.0.1 in front of an AWS-protocol endpoint, recording each call. */
export interface CountingProxy {
  url: string;
  calls: ProxiedCall[];
  close(): Promise<void>;
}

/**
 * Starts a proxy that forwards every request to `target` unchanged (the SDK's signature covers the
 * host it signed for, which DynamoDB Local does not check) and records its `x-amz-target`
 * operation, so a test can count the round trips a bundle makes.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const calls: ProxiedCall[] = [];
  const server: Server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    calls.push({ operation, at: performance.now() });
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}
