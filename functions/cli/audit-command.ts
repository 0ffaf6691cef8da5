import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AUDIT_QUERIES } from '../core/audit/audit-queries';
import { normalizedTag } from '../core/usage/tags';
import { dayRange, runQuery } from './report-command';
import { formatReport, type ReportFormat } from './report/format-report';
import type { ReportCell } from './report/report-result';
import { UsageError, dataDirOf, type CliIo } from './cli-io';

/** Days `audit show` and `audit search` read when `--since` is not given (today included). */
const DEFAULT_DAYS = 30;

const AUDIT_USAGE = `Usage:
  switchyard audit show REQUEST_ID [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--json]
  switchyard audit search [--key ID] [--team T] [--tag NAME=VALUE] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
                          [--limit 50] [--format table|csv|json]
         [--data-dir DIR] [--stack NAME]

The audit trail (the audit level of keys and teams, config audit.default), one record per request,
deduplicated on request_id.
  show          the whole record of one request: who, what, outcome, and with level full the
                request body and the response (streams reassembled)
  search        records newest first, without payloads, filtered by key id, team and one tag
  --since, --until  inclusive UTC days to read (default: the last ${DEFAULT_DAYS} days)
  --data-dir    local data directory (default .switchyard or SWITCHYARD_DATA_DIR), read with DuckDB
  --stack       query the stack's Athena table instead (AWS credentials from the default chain)
`;

const FORMATS: readonly ReportFormat[] = ['table', 'csv', 'json'];

function usage(message: string): UsageError {
  return new UsageError(`switchyard audit: ${message}\n${AUDIT_USAGE}`);
}

/**
 * `switchyard audit show|search`: reads the audit records with the shared audit SQL — locally
 * with DuckDB over `<data-dir>/audit/`, or with `--stack` as the stack's Athena named query.
 * `now` fixes "today" for the default days.
 */
export async function auditCommand(args: string[], io: CliIo, now: Date = new Date()): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      team: { type: 'string' },
      tag: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string', default: '50' },
      format: { type: 'string', default: 'table' },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      stack: { type: 'string' },
    },
  });
  const today = now.toISOString().slice(0, 10);
  const firstDay = new Date(now.getTime() - (DEFAULT_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const days = dayRange(values.since ?? firstDay, values.until ?? today, usage);
  const dataDir = resolve(io.cwd, dataDirOf(values['data-dir'], io));
  if (sub === 'show') {
    const requestId = positionals[0];
    if (!requestId || positionals.length > 1) throw usage('audit show needs one REQUEST_ID (the x-request-id response header, or request_id of a usage event)');
    const { rows } = await runQuery(AUDIT_QUERIES['audit-show'], { ...days, request_id: requestId }, values.stack, dataDir);
    const row = rows[0];
    if (!row) throw new Error(`No audit record of ${requestId} between ${days.since} and ${days.until} (is the key audited? older? pass --since).`);
    io.stdout(values.json ? `${JSON.stringify(row)}\n` : describeRecord(row));
    return;
  }
  if (sub !== 'search' || positionals.length > 0) throw usage(sub === undefined ? 'show or search?' : `unknown arguments ${[sub, ...positionals].join(' ')}`);
  const format = values.format as ReportFormat;
  if (!FORMATS.includes(format)) throw usage(`--format must be one of ${FORMATS.join(', ')}`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usage(`--limit must be a whole number from 1 to 1000, got ${values.limit}`);
  const tag = values.tag === undefined ? undefined : normalizedTag(values.tag);
  if (values.tag !== undefined && !tag) throw usage(`--tag must be NAME=VALUE, got '${values.tag}'`);
  const [tagName = '', tagValue = ''] = tag ? [tag.slice(0, tag.indexOf('=')), tag.slice(tag.indexOf('=') + 1)] : [];
  const result = await runQuery(AUDIT_QUERIES['audit-search'], { ...days, key: values.key ?? '', team: values.team ?? '', tag: tagName, tag_value: tagValue }, values.stack, dataDir);
  const rows = result.rows.slice(0, limit);
  if (rows.length === 0 && format === 'table') {
    io.stdout(`No audit records between ${days.since} and ${days.until}.\n`);
    return;
  }
  io.stdout(formatReport({ columns: result.columns, rows }, format));
}

/** One record for a terminal: its facts, then the request and the response, pretty-printed. */
function describeRecord(row: Record<string, ReportCell>): string {
  const facts = Object.entries(row).filter(([column]) => column !== 'request_body' && column !== 'response_body');
  const width = Math.max(...facts.map(([column]) => column.length));
  const lines = facts.map(([column, value]) => `${column.padEnd(width)}  ${value ?? '-'}`);
  for (const [title, column, truncated] of [['Request', 'request_body', 'request_truncated'], ['Response', 'response_body', 'response_truncated']] as const) {
    const body = row[column];
    if (body === null || body === undefined) continue;
    lines.push('', `${title}${String(row[truncated]) === 'true' ? ' (truncated at audit.maxBodyBytes)' : ''}:`, pretty(String(body)));
  }
  return `${lines.join('\n')}\n`;
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
