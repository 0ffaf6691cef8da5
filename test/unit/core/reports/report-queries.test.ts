import { REPORT_QUERIES, USAGE_SOURCE, namedQueryName, renderReportSql } from '../../../../functions/core/reports/report-queries';

const queries = Object.values(REPORT_QUERIES);

describe('report queries', () => {
  it.each(queries)('$name takes one positional parameter per `?`, since and until first', (query) => {
    expect(query.sql.split('?').length - 1).toBe(query.parameters.length);
    expect(query.parameters.slice(0, 2)).toEqual(['since', 'until']);
  });

  it.each(queries)('$name reads the usage table once, deduplicated on request_id', (query) => {
    expect(query.sql.split(USAGE_SOURCE)).toHaveLength(2);
    expect(query.sql).toMatch(/row_number\(\) OVER \(PARTITION BY request_id ORDER BY ts\)/);
    expect(query.sql).toMatch(/WHERE copy_number = 1/);
  });

  it.each(queries)('$name renders for Athena and DuckDB with nothing but the table source changed', (query) => {
    const athena = renderReportSql(query, '"switchyard_usage"."usage_events"');
    const duckdb = renderReportSql(query, "read_json('/data/usage/dt=*/*.ndjson')");

    expect(athena).not.toContain(USAGE_SOURCE);
    expect(duckdb).not.toContain(USAGE_SOURCE);
    expect(athena.replace('"switchyard_usage"."usage_events"', USAGE_SOURCE)).toBe(query.sql);
    expect(duckdb.replace("read_json('/data/usage/dt=*/*.ndjson')", USAGE_SOURCE)).toBe(query.sql);
  });

  it('names the Athena named queries after the reports', () => {
    expect(queries.map(namedQueryName)).toEqual([
      'switchyard-spend-by-team',
      'switchyard-spend-by-day',
      'switchyard-spend-by-team-day',
      'switchyard-spend-by-key',
      'switchyard-spend-by-model',
      'switchyard-spend-by-user',
      'switchyard-spend-by-tag',
      'switchyard-top-spenders',
      'switchyard-provider-health',
    ]);
  });
});
