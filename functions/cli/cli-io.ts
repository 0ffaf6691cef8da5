/** What a CLI command may touch, injectable so tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A user mistake on the command line (exit code 2), as opposed to a failure (exit code 1). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The process's real streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The data dir: `--data-dir`, else `SWITCHYARD_DATA_DIR`, else `.switchyard` (DESIGN §6). */
export function dataDirOf(flag: string | undefined, io: CliIo): string {
  return flag ?? io.env.SWITCHYARD_DATA_DIR ?? '.switchyard';
}

/**
 * Joins a numeric flag and a negative value (`--usd -5` → `--usd=-5`): `parseArgs` would take
 * `-5` for an option and answer "argument is ambiguous", where the user deserves the flag's own
 * message ("must be a non-negative USD amount").
 */
export function joinNegativeNumbers(args: readonly string[], flags: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (flags.includes(arg) && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}
