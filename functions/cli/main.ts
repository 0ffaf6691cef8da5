import { ConfigError } from '../core/config/load-config';
import { UsageError, type CliIo } from './cli-io';
import type * as AuditCommand from './audit-command';
import type * as BudgetCommand from './budget-command';
import type * as KeysCommand from './keys-command';
import type * as ReportCommand from './report-command';
import type * as ServeCommand from './serve-command';

/*
 * Each command's module is required only when that command runs (tsx's require hook compiles it):
 * `serve` never loads DuckDB (a native library of its own) or the AWS SDK clients of the admin
 * commands, which would add tens of MB to the server's memory.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the lazy loading described above */
const commands = {
  serve: () => (require('./serve-command') as typeof ServeCommand).serveCommand,
  keys: () => (require('./keys-command') as typeof KeysCommand).keysCommand,
  budget: () => (require('./budget-command') as typeof BudgetCommand).budgetCommand,
  report: () => (require('./report-command') as typeof ReportCommand).reportCommand,
  audit: () => (require('./audit-command') as typeof AuditCommand).auditCommand,
};
/* eslint-enable @typescript-eslint/no-require-imports */

const HELP = `switchyard — an LLM gateway (OpenAI-compatible API)

Commands:
  serve [--config FILE] [--port 8787] [--host 127.0.0.1] [--data-dir .switchyard]
  keys create|list|show|revoke|rotate …  [--stack NAME]
  budget set --team T|--key ID|--tag NAME=VALUE [--usd N] [--per-user-usd N] [--period day|week|month|total]
             [--audit none|metadata|full]  [--stack NAME]
  budget list | budget show --team T|--key ID|--tag NAME=VALUE [--user U]  [--stack NAME]
  report [--since DATE] [--until DATE] [--by team|key|model|user|tag:NAME|day] [--format table|csv|json] [--stack NAME]
  audit show REQUEST_ID | audit search [--key ID] [--team T] [--tag NAME=VALUE] [--since DATE] [--until DATE]  [--stack NAME]
Run a command without arguments for its usage.`;

/** Runs one CLI invocation; resolves to the process exit code (serve keeps running). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'serve': {
        const served = await commands.serve()(args, io);
        const stop = (): void => {
          served.stop().then(() => process.exit(0), () => process.exit(1));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        return 0;
      }
      case 'keys':
        await commands.keys()(args, io);
        return 0;
      case 'budget':
        await commands.budget()(args, io);
        return 0;
      case 'report':
        await commands.report()(args, io);
        return 0;
      case 'audit':
        await commands.audit()(args, io);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(HELP + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command '${command}'.\n${HELP}`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`${(error as Error).message}\n`);
      return 2;
    }
    // A config error already says `switchyard config: <field>: …`.
    if (error instanceof ConfigError) io.stderr(`${error.message}\n`);
    else io.stderr(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
