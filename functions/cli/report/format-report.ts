import type { ReportCell, ReportResult } from './report-result';

/** Output formats of `switchyard report`. */
export type ReportFormat = 'table' | 'csv' | 'json';

/** Columns the table view leaves out: exact micro-USD is for machines (csv, json). */
const TABLE_HIDDEN = new Set(['cost_micro_usd']);

/**
 * Renders a report. `json` is an array of row objects with numbers as numbers; `csv` has a
 * header row and RFC 4180 quoting; `table` is aligned text for a terminal, with costs in USD to
 * six decimals (never rounded to cents: a request can cost $0.0002) and numbers right-aligned.
 */
export function formatReport(result: ReportResult, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(result.rows, null, 2)}\n`;
  if (format === 'csv') {
    const lines = [result.columns.map(csvField), ...result.rows.map((row) => result.columns.map((column) => csvField(row[column] ?? null)))];
    return `${lines.map((line) => line.join(',')).join('\r\n')}\r\n`;
  }
  if (result.rows.length === 0) return 'No usage in this period.\n';
  const columns = result.columns.filter((column) => !TABLE_HIDDEN.has(column));
  const cells = result.rows.map((row) => columns.map((column) => tableCell(column, row[column] ?? null)));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((row) => (row[index] ?? '').length)));
  const numeric = columns.map((column) => result.rows.some((row) => typeof row[column] === 'number'));
  const line = (values: string[]): string =>
    values
      .map((value, index) => (numeric[index] ? value.padStart(widths[index] ?? 0) : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n')}\n`;
}

function tableCell(column: string, value: ReportCell): string {
  if (value === null) return '-';
  if (typeof value === 'number' && column === 'cost_usd') return value.toFixed(6);
  return String(value);
}

function csvField(value: ReportCell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
