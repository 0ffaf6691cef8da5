/**
 * The floor of the benchmark: the least a Node reverse proxy can do, measured in the same run as
 * Switchyard so the figures can be read against what any gateway on `node:http` pays on this
 * machine. It reads the request body, sends it to the fake upstream over a keep-alive agent, and
 * forwards the answer's status, content type and body piece by piece as they arrive (so a stream's
 * events are forwarded one by one, as a gateway must). No keys, budgets, parsing or logging.
 *
 * Run as its own process (`startFloorProxy`), pinned like the gateway; prints its URL.
 */
import { spawn } from 'node:child_process';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { listeningUrl, track } from './children';

/** Request headers that belong to one connection, not to the request. */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding']);

function forward(upstreamOrigin: string, agent: Agent, req: IncomingMessage, res: ServerResponse): void {
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    const upstream = request(`${upstreamOrigin}${req.url ?? '/'}`, { method: req.method, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' });
      answer.on('data', (part: Buffer) => res.write(part));
      answer.on('end', () => res.end());
    });
    upstream.on('error', () => res.destroy());
    upstream.end(Buffer.concat(parts));
  });
}

/** A running floor proxy. */
export interface FloorProxy {
  url: string;
  pid: number;
  stop(): void;
}

/** Starts the floor proxy in front of `upstreamUrl` (its `/v1` base), prefixed by `pin`. */
export async function startFloorProxy(upstreamUrl: string, pin: string[]): Promise<FloorProxy> {
  const argv = [...pin, process.execPath, '--require', 'tsx/cjs', resolve(__filename), new URL(upstreamUrl).origin];
  const [command, ...args] = argv as [string, ...string[]];
  const child = track(spawn(command, args, { cwd: resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] }));
  const url = await listeningUrl(child, 'the floor proxy');
  return { url, pid: child.pid as number, stop: () => child.kill('SIGKILL') };
}

if (require.main === module) {
  const upstreamOrigin = process.argv[2] as string;
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => forward(upstreamOrigin, agent, req, res));
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
}
