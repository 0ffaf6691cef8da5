import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDuckdbReport } from '../../../../functions/cli/report/duckdb-report';
import { NdjsonUsageSink } from '../../../../functions/adapters/local/ndjson-sinks';
import { silentLogger } from '../../../../functions/core/ports/logger';
import { REPORT_QUERIES } from '../../../../functions/core/reports/report-queries';
import type { UsageEvent } from '../../../../functions/core/usage/usage-event';
import { makeUsageEvent } from '../../../helpers/usage-events';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-report-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const teams = ['search', 'payments', null] as const;
const models = [
  { model_requested: 'fast', provider: 'openai', provider_model: 'gpt-4o-mini' },
  { model_requested: 'smart', provider: 'anthropic', provider_model: 'claude-sonnet-4-5' },
] as const;
const statuses = [
  { status: 'ok', http_status: 200, error_type: null },
  { status: 'ok', http_status: 200, error_type: null },
  { status: 'error', http_status: 429, error_type: 'budget_exceeded' },
  { status: 'upstream_cut', http_status: 200, error_type: null },
  { status: 'client_closed', http_status: 200, error_type: null },
] as const;

/** 60 varied events over three days; day three is outside the reported period. */
const events: UsageEvent[] = Array.from({ length: 60 }, (_, index) =>
  makeUsageEvent({
    request_id: `req_${index}`,
    ts: `2026-03-${String(14 + (index % 3)).padStart(2, '0')}T12:00:${String(index % 60).padStart(2, '0')}.000Z`,
    team: teams[(index % 4) % 3] ?? null,
    key_id: `key_${index % 4}`,
    key_name: `key ${index % 4}`,
    tags: index % 2 === 0 ? { service: index % 4 === 0 ? 'search' : 'chat' } : {},
    user: index % 3 === 0 ? null : `user-${index % 5}`,
    ...models[index % 2],
    ...statuses[index % 5],
    input_tokens: 100 + index,
    output_tokens: 10 + index,
    cost_micro_usd: 1000 + index * 37,
    latency_ms: 100 + index * 10,
    ttft_ms: index % 2 === 0 ? 50 + index : null,
  }),
);
const inPeriod = events.filter((event) => event.ts < '2026-03-16');
const period = { since: '2026-03-14', until: '2026-03-15' };

function totals(selected: UsageEvent[]) {
  return {
    requests: selected.length,
    errors: selected.filter((event) => event.status === 'error' || event.status === 'upstream_cut').length,
    input_tokens: selected.reduce((sum, event) => sum + event.input_tokens, 0),
    output_tokens: selected.reduce((sum, event) => sum + event.output_tokens, 0),
    cost_micro_usd: selected.reduce((sum, event) => sum + event.cost_micro_usd, 0),
  };
}

beforeAll(async () => {
  const sink = new NdjsonUsageSink({ dataDir, logger: silentLogger });
  for (const event of events) await sink.write(event);
  // Firehose is at-least-once: some events arrive twice; reports must count them once.
  for (const event of events.slice(0, 10)) await sink.write(event);
  await sink.close();
});

describe('runDuckdbReport over the NDJSON usage files', () => {
  it('sums spend by team once per request_id within the period', async () => {
    const result = await runDuckdbReport(REPORT_QUERIES['spend-by-team'], period, dataDir);

    expect(result.columns).toEqual(['team', 'requests', 'non_billable_requests', 'errors', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'cost_micro_usd', 'cost_usd']);
    const byTeam = Object.fromEntries(result.rows.map((row) => [String(row.team), row]));
    for (const team of teams) {
      const expected = totals(inPeriod.filter((event) => event.team === team));
      // Dollars to six decimals: exactly the micro-USD sum.
      expect(byTeam[String(team)]).toMatchObject({ ...expected, cost_usd: expected.cost_micro_usd / 1e6 });
    }
    expect(result.rows.map((row) => row.cost_micro_usd)).toEqual([...result.rows.map((row) => row.cost_micro_usd)].sort((a, b) => Number(b) - Number(a)));
  });

  it('groups by day from the dt partition', async () => {
    const result = await runDuckdbReport(REPORT_QUERIES['spend-by-day'], { since: '2026-03-01', until: '2026-03-31' }, dataDir);

    const byDay = Object.fromEntries(result.rows.map((row) => [row.dt, row.requests]));
    expect(byDay).toEqual({ '2026-03-14': 20, '2026-03-15': 20, '2026-03-16': 20 });
  });

  it('groups by the value of a tag, untagged requests under null', async () => {
    const result = await runDuckdbReport(REPORT_QUERIES['spend-by-tag'], { ...period, tag: 'service' }, dataDir);

    const byValue = Object.fromEntries(result.rows.map((row) => [String(row.tag_value), row.requests]));
    expect(byValue).toEqual({
      search: inPeriod.filter((event) => event.tags.service === 'search').length,
      chat: inPeriod.filter((event) => event.tags.service === 'chat').length,
      null: inPeriod.filter((event) => event.tags.service === undefined).length,
    });
  });

  it('sums by end user and team, requests without an end user under null', async () => {
    const result = await runDuckdbReport(REPORT_QUERIES['spend-by-user'], period, dataDir);

    expect(result.columns.slice(0, 2)).toEqual(['user', 'team']);
    const expected = new Map<string, UsageEvent[]>();
    for (const event of inPeriod) {
      const group = `${event.user}|${event.team}`;
      expected.set(group, [...(expected.get(group) ?? []), event]);
    }
    expect(result.rows).toHaveLength(expected.size);
    for (const row of result.rows) expect(row).toMatchObject(totals(expected.get(`${row.user}|${row.team}`) ?? []));
  });

  it('sums by key and by model', async () => {
    const byKey = await runDuckdbReport(REPORT_QUERIES['spend-by-key'], period, dataDir);
    const byModel = await runDuckdbReport(REPORT_QUERIES['spend-by-model'], period, dataDir);

    expect(byKey.rows.find((row) => row.key_id === 'key_1')).toMatchObject(totals(inPeriod.filter((event) => event.key_id === 'key_1')));
    expect(byModel.rows.find((row) => row.provider === 'anthropic')).toMatchObject({
      model_requested: 'smart',
      provider_model: 'claude-sonnet-4-5',
      ...totals(inPeriod.filter((event) => event.provider === 'anthropic')),
    });
  });

  it('reports error rate and latency percentiles per provider and model', async () => {
    const result = await runDuckdbReport(REPORT_QUERIES['provider-health'], period, dataDir);

    const openai = result.rows.find((row) => row.provider === 'openai');
    const selected = inPeriod.filter((event) => event.provider === 'openai');
    const latencies = selected.map((event) => event.latency_ms).sort((a, b) => a - b);
    expect(openai).toMatchObject({ requests: selected.length, errors: totals(selected).errors });
    expect(openai?.error_rate).toBeCloseTo(totals(selected).errors / selected.length, 4);
    expect(Number(openai?.latency_p50_ms)).toBeGreaterThanOrEqual(latencies[0] as number);
    expect(Number(openai?.latency_p99_ms)).toBeLessThanOrEqual(latencies[latencies.length - 1] as number);
    expect(Number(openai?.latency_p50_ms)).toBeLessThanOrEqual(Number(openai?.latency_p99_ms));
  });

  it('returns no rows when there are no usage files yet', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'switchyard-empty-'));

    const result = await runDuckdbReport(REPORT_QUERIES['spend-by-team'], period, empty);

    expect(result.rows).toEqual([]);
    await rm(empty, { recursive: true, force: true });
  });
});
