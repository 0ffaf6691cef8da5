/**
 * Child processes of the benchmark: every one is registered so it is killed when the bench ends,
 * fails or is interrupted — a bench must never leave a server running on a shared machine.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const live = new Set<ChildProcess>();

/** Kills every child still running (by its own pid; never by name). */
export function killChildren(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
}

process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}

/** Registers a child process so that it is killed when the bench ends, fails or is interrupted. */
export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

/** Rejects after `ms` with `what` in the message, so a hung child fails the bench instead of hanging it. */
function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Where the measured servers run: on a machine with two or more cores, the bench process (the
 * load generator) and everything it forks (the fake upstream) move to core 1, and the gateway and
 * the peer are started on core 0 alone (`taskset`), so each measured server has one core to itself
 * and the same one. Returns the command prefix for the measured servers (empty when the machine
 * cannot pin).
 */
export function cpuPinning(cores: number): string[] {
  if (cores < 2) return [];
  try {
    execFileSync('taskset', ['-apc', '1', String(process.pid)], { stdio: 'ignore' });
    return ['taskset', '-c', '0'];
  } catch {
    return [];
  }
}

/** Forks `bench/fake-upstream.ts` and waits for its URL. */
export async function startUpstreamProcess(intervalMs: number): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const child = track(fork(resolve(__dirname, 'fake-upstream.ts'), [String(intervalMs)], { execArgv: ['--require', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const [message] = (await deadline(once(child, 'message'), 30_000, 'fake upstream')) as [{ url: string }];
  return { url: message.url, pid: child.pid as number, child };
}

/** Runs the `switchyard` CLI to completion and returns its stdout (throws on a non-zero exit). */
export async function runCli(args: string[], timeoutMs = 60_000): Promise<string> {
  const child = track(spawn(process.execPath, [resolve(ROOT, 'bin/switchyard-cli.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (part: Buffer) => (stdout += part.toString()));
  child.stderr?.on('data', (part: Buffer) => (stderr += part.toString()));
  const [code] = (await deadline(once(child, 'exit'), timeoutMs, `switchyard ${args[0]}`)) as [number | null];
  if (code !== 0) throw new Error(`switchyard ${args.join(' ')} exited with ${code}: ${stderr}`);
  return stdout;
}

/**
 * The URL a server child prints in its "listening on <url>" line; rejects when the child exits
 * first or prints none within a minute.
 */
export function listeningUrl(child: ChildProcess, what: string): Promise<string> {
  let stdout = '';
  const listening = new Promise<string>((resolveUrl, reject) => {
    child.stdout?.on('data', (part: Buffer) => {
      stdout += part.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolveUrl(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited early with ${code}: ${stdout}`)));
  });
  return deadline(listening, 60_000, what);
}

/**
 * Starts `switchyard serve` as its own process on 127.0.0.1 (port 0) and waits for its
 * "listening on" line. `nodeArgs` go to node itself (e.g. `--cpu-prof` for profiling); `pin` is a
 * command prefix such as `taskset -c 0` (see {@link cpuPinning}).
 */
export async function startGatewayProcess(args: string[], nodeArgs: string[] = [], pin: string[] = []): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const argv = [...pin, process.execPath, ...nodeArgs, resolve(ROOT, 'bin/switchyard-cli.js'), 'serve', '--host', '127.0.0.1', '--port', '0', ...args];
  const [command, ...rest] = argv as [string, ...string[]];
  const child = track(
    spawn(command, rest, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const url = await listeningUrl(child, 'switchyard serve');
  return {
    url,
    pid: child.pid as number,
    // SIGINT first: the CLI's graceful shutdown writes the CPU profile when one is recorded.
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await deadline(exited, 10_000, 'switchyard serve shutdown').catch(() => child.kill('SIGKILL'));
    },
  };
}
