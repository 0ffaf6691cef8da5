import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { parseArgs } from 'node:util';
import { REPORT_QUERIES, type ReportName, type ReportQuery } from '../core/reports/report-queries';
import { resolveAthenaTarget, runAthenaReport } from './report/athena-report';
import { runDuckdbReport } from './report/duckdb-report';
import { formatReport, type ReportFormat } from './report/format-report';
import type { ReportArguments, ReportResult } from './report/report-result';

/** Streams and environment of one CLI run (the process's by default; tests pass their own). */
export interface ReportCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Today, for the default period. */
  now?: () => Date;
}

export const REPORT_USAGE = `Usage: switchyard report [--since YYYY-MM-DD] [--until YYYY-MM-DD]
         [--by team|key|model|tag:NAME|day] [--query NAME] [--format table|csv|json]
         [--data-dir DIR] [--stack NAME]

Spend, tokens, requests and errors from the usage events, deduplicated on request_id.
  --since, --until  inclusive UTC days (default: the current month up to today)
  --by              grouping (default team); tag:NAME groups by the value of tag NAME
  --query           any report by name instead of --by: ${Object.keys(REPORT_QUERIES).join(', ')}
  --data-dir        local data directory (default .switchyard or SWITCHYARD_DATA_DIR), read with DuckDB
  --stack           run the stack's Athena named query instead (AWS credentials from the default chain)
`;

const BY_REPORT: Record<string, ReportName> = { team: 'spend-by-team', key: 'spend-by-key', model: 'spend-by-model', day: 'spend-by-day' };
const FORMATS: readonly ReportFormat[] = ['table', 'csv', 'json'];

/** A usage mistake: reported with the usage text and exit code 2. */
class UsageError extends Error {}

/**
 * `switchyard report`: runs one report of the shared report SQL — locally with DuckDB over
 * `<data-dir>/usage/`, or with `--stack` as the deployed Athena named query — and prints it.
 * Returns the process exit code.
 */
export async function runReportCommand(argv: string[], io: ReportCommandIo): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
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
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout.write(REPORT_USAGE);
      return 0;
    }
    const format = values.format as ReportFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const { query, tag } = selectQuery(values.by, values.query);
    const args = period(values.since, values.until, io.now?.() ?? new Date());
    if (tag !== undefined) args.tag = tag;
    const result = await run(query, args, values.stack, values['data-dir'] ?? io.env.SWITCHYARD_DATA_DIR ?? '.switchyard');
    io.stdout.write(formatReport(result, format));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchyard report: ${message}\n`);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(REPORT_USAGE);
      return 2;
    }
    return 1;
  }
}

function selectQuery(by: string | undefined, name: string | undefined): { query: ReportQuery; tag?: string } {
  if (by !== undefined && name !== undefined) throw new UsageError('use either --by or --query');
  if (name !== undefined) {
    if (!(name in REPORT_QUERIES)) throw new UsageError(`unknown report ${name}`);
    if (name === 'spend-by-tag') throw new UsageError('use --by tag:NAME for the tag report');
    return { query: REPORT_QUERIES[name as ReportName] };
  }
  const grouping = by ?? 'team';
  if (grouping.startsWith('tag:')) {
    const tag = grouping.slice('tag:'.length);
    if (tag === '') throw new UsageError('--by tag:NAME needs a tag name');
    return { query: REPORT_QUERIES['spend-by-tag'], tag };
  }
  const report = BY_REPORT[grouping];
  if (!report) throw new UsageError(`--by must be team, key, model, tag:NAME or day`);
  return { query: REPORT_QUERIES[report] };
}

function period(since: string | undefined, until: string | undefined, now: Date): ReportArguments {
  const today = now.toISOString().slice(0, 10);
  const args = { since: since ?? `${today.slice(0, 7)}-01`, until: until ?? today };
  for (const [flag, day] of Object.entries(args)) {
    const parsed = Date.parse(`${day}T00:00:00Z`);
    // Date.parse rolls 2026-02-30 over to March, so the round trip must give the same day back.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== day) {
      throw new UsageError(`--${flag} must be a day as YYYY-MM-DD, got ${day}`);
    }
  }
  if (args.since > args.until) throw new UsageError(`--since ${args.since} is after --until ${args.until}`);
  return args;
}

async function run(query: ReportQuery, args: ReportArguments, stack: string | undefined, dataDir: string): Promise<ReportResult> {
  if (stack === undefined) return runDuckdbReport(query, args, dataDir);
  const target = await resolveAthenaTarget(new CloudFormationClient({}), stack);
  return runAthenaReport(query, args, { athena: new AthenaClient({}), target });
}
