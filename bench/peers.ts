/**
 * The peer gateway the benchmark measures beside Switchyard (`npm run bench -- --peers`): the
 * Portkey AI gateway, pinned in `bench/peers/` and installed there on first use, started as its
 * own process in front of the same fake upstream, with the same requests (its provider and the
 * upstream named per request in `x-portkey-*` headers, as its docs show).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { track } from './children';

const PEERS_DIR = resolve(__dirname, 'peers');
const PORTKEY_SERVER = resolve(PEERS_DIR, 'node_modules/@portkey-ai/gateway/build/start-server.js');

/** A running peer gateway. */
export interface PeerProcess {
  name: string;
  url: string;
  pid: number;
  stop(): void;
}

/** Installs the pinned peers (`npm ci` in `bench/peers/`) unless they are there. */
export function installPeers(): void {
  if (existsSync(PORTKEY_SERVER)) return;
  process.stdout.write('bench: installing the peer gateways into bench/peers/\n');
  execFileSync('npm', ['ci', '--prefix', PEERS_DIR, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

/** A free TCP port on 127.0.0.1 (Portkey takes a port number, not 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

/** Starts the Portkey gateway (headless, production mode: no console UI) and waits until it listens. */
export async function startPortkey(pin: string[]): Promise<PeerProcess> {
  const port = await freePort();
  const argv = [...pin, process.execPath, PORTKEY_SERVER, `--port=${port}`, '--headless'];
  const [command, ...args] = argv as [string, ...string[]];
  const child = track(spawn(command, args, { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] }));
  await new Promise<void>((ready, fail) => {
    let out = '';
    child.stdout?.on('data', (part: Buffer) => {
      out += part.toString();
      if (out.includes('Ready for connections')) ready();
    });
    child.once('exit', (code) => fail(new Error(`Portkey exited early with ${code}: ${out}`)));
  });
  return { name: 'portkey', url: `http://127.0.0.1:${port}`, pid: child.pid as number, stop: () => child.kill('SIGKILL') };
}

/** The headers that route a Portkey request to the fake upstream as `provider`. */
export function portkeyHeaders(provider: 'openai' | 'anthropic', upstreamUrl: string): Record<string, string> {
  return { 'x-portkey-provider': provider, 'x-portkey-custom-host': upstreamUrl };
}

/** The peer as the report names it: package and version as pinned in `bench/peers/package.json`. */
export function peerDescription(): string {
  const manifest = JSON.parse(readFileSync(resolve(PEERS_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return `Portkey AI gateway ${manifest.dependencies['@portkey-ai/gateway']} (npm @portkey-ai/gateway, on the same Node)`;
}
