import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags `switchyard serve` runs with (decision 0011), each unless the user gave a value of
 * their own:
 * - `--heap-growing-percent=50`: V8 collects the old generation when it is half again what is
 *   live, instead of letting it grow up to four times that on a machine with plenty of memory.
 *   Unlike a `--max-old-space-size` cap it never makes the process run out of heap.
 * - `--max-semi-space-size=8`: a young generation of two 8 MiB semi-spaces instead of 16 MiB ones.
 *   What a request allocates dies young, so this costs a few more, equally small, scavenges.
 * Together they keep a server streaming to 64 clients at about 125 MiB instead of 210–250 MiB.
 */
export const SERVE_V8_FLAGS: readonly string[] = ['--heap-growing-percent=50', '--max-semi-space-size=8'];

/** What {@link applyServeV8Flags} needs of the process (`process` itself outside tests). */
export interface ServeProcess {
  execPath: string;
  execArgv: readonly string[];
  argv: readonly string[];
  env: Record<string, string | undefined>;
  platform: string;
  /** Replaces the process (Node 22.15 and later; not on Windows). */
  execve?: (file: string, args: string[], env: Record<string, string | undefined>) => never;
}

/** The name of a flag as V8 reads it (`--max_semi_space_size=4` names `--max-semi-space-size`). */
function flagName(arg: string): string {
  return (arg.split('=')[0] as string).replaceAll('_', '-');
}

/** The flags of {@link SERVE_V8_FLAGS} named neither on Node's command line nor in `NODE_OPTIONS`. */
export function missingServeV8Flags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(flagName));
  return SERVE_V8_FLAGS.filter((flag) => !given.has(flagName(flag)));
}

/**
 * Gives `switchyard serve` its V8 flags. The young generation's size is fixed when V8 starts, so
 * where Node can replace the running process (`process.execve`) it starts itself again with the
 * missing flags before anything else happens — same pid, arguments, environment and open
 * stdio — and does not return. Where it cannot (or the system refuses), it sets at run time the
 * one flag V8 still honours then (heap growth), and the young generation keeps V8's default size.
 */
export function applyServeV8Flags(proc: ServeProcess = process as unknown as ServeProcess, setFlags: (flags: string) => void = setFlagsFromString): void {
  const missing = missingServeV8Flags(proc.execArgv, proc.env.NODE_OPTIONS);
  if (missing.length === 0) return;
  if (proc.execve && proc.platform !== 'win32') {
    try {
      proc.execve(proc.execPath, [proc.execPath, ...missing, ...proc.execArgv, ...proc.argv.slice(1)], proc.env);
    } catch {
      // The system refused to replace the process: serve as it is, with what can be set now.
    }
  }
  for (const flag of missing) if (flag.startsWith('--heap-growing-percent')) setFlags(flag);
}
