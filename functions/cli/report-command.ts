import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CLI_TIMEOUTS, sdkClientConfig } from '../adapters/aws/sdk-client-config';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPORT_QUERIES, type ReportName, type ReportQuery } from '../core/reports/report-queries';
import { resolveAthenaTarget, runAthenaReport } from './report/athena-report';
import { runDuckdbReport } from './report/duckdb-report';
import { formatReport, type ReportFormat } from './report/format-report';
import type { ReportArguments, ReportResult } from './report/report-result';
import { UsageError, dataDirOf, type CliIo } from './cli-io';

/** Usage text of `switchyard report`. */
const REPORT_USAGE = `Usage: switchyard report [--since YYYY-MM-DD] [--until YYYY-MM-DD]
         [--by team|key|model|user|tag:NAME|day] [--query NAME] [--format table|csv|json]
         [--data-dir DIR] [--stack NAME]

Spend, tokens, requests and errors from the usage events, deduplicated on request_id.
  --since, --until  inclusive UTC days (default: the current month up to today)
  --by              grouping (default team); tag:NAME groups by the value of tag NAME
  --query           any report by name instead of --by: ${Object.keys(REPORT_QUERIES).join(', ')}
  --data-dir        local data directory (default .switchyard or SWITCHYARD_DATA_DIR), read with DuckDB
  --stack           run the stack's Athena named query instead (AWS credentials from the default chain)
`;

const BY_REPORT: Record<string, ReportName> = { team: 'spend-by-team', key: 'spend-by-key', model: 'spend-by-model', user: 'spend-by-user', day: 'spend-by-day' };
const FORMATS: readonly ReportFormat[] = ['table', 'csv', 'json'];

/**
 * `switchyard report`: runs one report of the shared report SQL — locally with DuckDB over
 * `<data-dir>/usage/`, or with `--stack` as the deployed Athena named query — and prints it.
 * A command-line mistake throws {@link UsageError} carrying the usage text; `now` fixes "today"
 * for the default period.
 */
export async function reportCommand(args: string[], io: CliIo, now: Date = new Date()): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      by: { type: 'string' },
      query: { type: 'string' },
      format: { type: 'string', default: 'table' },
      'data-dir': { type: 'string' },
      stack: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(REPORT_USAGE);
    return;
  }
  const format = values.format as ReportFormat;
  if (!FORMATS.includes(format)) throw usage(`--format must be one of ${FORMATS.join(', ')}`);
  const { query, tag } = selectQuery(values.by, values.query);
  const today = now.toISOString().slice(0, 10);
  const reportArgs = dayRange(values.since ?? `${today.slice(0, 7)}-01`, values.until ?? today, usage);
  if (tag !== undefined) reportArgs.tag = tag;
  const result = await runQuery(query, reportArgs, values.stack, resolve(io.cwd, dataDirOf(values['data-dir'], io)));
  io.stdout(formatReport(result, format));
}

/** A command-line mistake, with the usage text so the user sees what is accepted. */
function usage(message: string): UsageError {
  return new UsageError(`switchyard report: ${message}\n${REPORT_USAGE}`);
}

function selectQuery(by: string | undefined, name: string | undefined): { query: ReportQuery; tag?: string } {
  if (by !== undefined && name !== undefined) throw usage('use either --by or --query');
  if (name !== undefined) {
    if (!(name in REPORT_QUERIES)) throw usage(`unknown report ${name}`);
    if (name === 'spend-by-tag') throw usage('use --by tag:NAME for the tag report');
    return { query: REPORT_QUERIES[name as ReportName] };
  }
  const grouping = by ?? 'team';
  if (grouping.startsWith('tag:')) {
    const tag = grouping.slice('tag:'.length);
    if (tag === '') throw usage('--by tag:NAME needs a tag name');
    return { query: REPORT_QUERIES['spend-by-tag'], tag };
  }
  const report = BY_REPORT[grouping];
  if (!report) throw usage(`--by must be team, key, model, user, tag:NAME or day`);
  return { query: REPORT_QUERIES[report] };
}

/**
 * The `since` and `until` arguments of a query from `--since` and `--until` (each `YYYY-MM-DD`, a
 * real day, since not after until); `usage` makes the command's error for a bad one.
 */
export function dayRange(since: string, until: string, usage: (message: string) => Error): ReportArguments {
  const args = { since, until };
  for (const [flag, day] of Object.entries(args)) {
    const parsed = Date.parse(`${day}T00:00:00Z`);
    // Date.parse rolls 2026-02-30 over to March, so the round trip must give the same day back.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== day) {
      throw usage(`--${flag} must be a day as YYYY-MM-DD, got ${day}`);
    }
  }
  if (args.since > args.until) throw usage(`--since ${args.since} is after --until ${args.until}`);
  return args;
}

/** Runs a query of the shared SQL: locally with DuckDB over `dataDir`, or on the Athena workgroup of stack `stack`. */
export async function runQuery(query: ReportQuery, args: ReportArguments, stack: string | undefined, dataDir: string): Promise<ReportResult> {
  if (stack === undefined) return runDuckdbReport(query, args, dataDir);
  const target = await resolveAthenaTarget(new CloudFormationClient(sdkClientConfig(CLI_TIMEOUTS)), stack);
  return runAthenaReport(query, args, { athena: new AthenaClient(sdkClientConfig(CLI_TIMEOUTS)), target });
}
