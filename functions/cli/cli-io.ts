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
