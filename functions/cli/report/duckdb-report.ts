import { DuckDBInstance } from '@duckdb/node-api';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AUDIT_COLUMNS } from '../../core/audit/audit-schema';
import { renderReportSql, type Dataset, type ReportQuery } from '../../core/reports/report-queries';
import { USAGE_COLUMNS, type UsageColumnType } from '../../core/usage/usage-schema';
import type { ReportArguments, ReportCell, ReportResult } from './report-result';

const DUCKDB_TYPES: Record<UsageColumnType, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  'map<string,string>': 'MAP(VARCHAR, VARCHAR)',
};

/** Trino functions the report SQL uses that DuckDB spells differently. */
const TRINO_COMPATIBILITY = ['CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, p)'];

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The columns of each dataset's table, as in its Glue table. */
const DATASET_COLUMNS: Record<Dataset, readonly { name: string; type: UsageColumnType }[]> = { usage: USAGE_COLUMNS, audit: AUDIT_COLUMNS };

/**
 * The DuckDB table source for the local files of a dataset: every `<dataset>/dt=*\/*.ndjson`
 * under the data directory (`usage/`, `audit/`), with the columns and types of the Glue table (so
 * DuckDB infers nothing — `tags` is a map as on Athena even when every record has the same keys)
 * and `dt` from the directory name.
 */
function duckdbSource(dataDir: string, dataset: Dataset): string {
  const glob = join(resolve(dataDir), dataset, 'dt=*', '*.ndjson');
  const columns = DATASET_COLUMNS[dataset].map((column) => `${column.name}: ${quote(DUCKDB_TYPES[column.type])}`).join(', ');
  return `read_json(${quote(glob)}, format = 'newline_delimited', columns = {${columns}}, hive_partitioning = true, hive_types = {'dt': 'VARCHAR'})`;
}

/** Whether any file of the dataset exists; DuckDB fails on a glob that matches nothing. */
async function hasFiles(dataDir: string, dataset: Dataset): Promise<boolean> {
  const usageDir = join(dataDir, dataset);
  const days = await readdir(usageDir).catch(() => [] as string[]);
  for (const day of days.filter((name) => name.startsWith('dt='))) {
    const files = await readdir(join(usageDir, day)).catch(() => [] as string[]);
    if (files.some((file) => file.endsWith('.ndjson'))) return true;
  }
  return false;
}

/** Runs one report (or audit query) over the local files of its dataset with an in-memory DuckDB. */
export async function runDuckdbReport(query: ReportQuery, args: ReportArguments, dataDir: string): Promise<ReportResult> {
  const dataset = query.dataset ?? 'usage';
  if (!(await hasFiles(dataDir, dataset))) return { columns: [], rows: [] };
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const statement of TRINO_COMPATIBILITY) await connection.run(statement);
    const values = query.parameters.map((name) => args[name] ?? null);
    const reader = await connection.runAndReadAll(renderReportSql(query, duckdbSource(dataDir, dataset)), values);
    const rows = reader.getRowObjectsJS().map((row) =>
      Object.fromEntries(Object.entries(row).map(([column, value]) => [column, toCell(value)])),
    );
    return { columns: reader.columnNames(), rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Sums come back as BIGINT/HUGEINT; report magnitudes fit a double exactly. */
function toCell(value: unknown): ReportCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  // Maps (an audit record's tags) as JSON; booleans as true / false.
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
