/** A cell of a report: text, a number, or null. */
export type ReportCell = string | number | null;

/** The rows of one report run, with the column order of the query. */
export interface ReportResult {
  columns: string[];
  rows: Record<string, ReportCell>[];
}

/** Values of a report run's positional parameters. */
export interface ReportArguments {
  /** First UTC day, `YYYY-MM-DD`, inclusive. */
  since: string;
  /** Last UTC day, `YYYY-MM-DD`, inclusive. */
  until: string;
  /** Tag name, for `spend-by-tag` and `audit-search`. */
  tag?: string;
  /** Filters of `audit show` and `audit search` (empty: any). */
  request_id?: string;
  key?: string;
  team?: string;
  tag_value?: string;
}
