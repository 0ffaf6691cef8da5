import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NdjsonUsageSink } from '../../../functions/adapters/local/ndjson-sinks';
import type { CliIo } from '../../../functions/cli/cli-io';
import { runCli } from '../../../functions/cli/main';
import { reportCommand } from '../../../functions/cli/report-command';
import { silentLogger } from '../../../functions/core/ports/logger';
import { makeUsageEvent } from '../../helpers/usage-events';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-report-cmd-'));
  const sink = new NdjsonUsageSink({ dataDir, logger: silentLogger });
  await sink.write(makeUsageEvent({ request_id: 'a', team: 'search', tags: { service: 'web' }, cost_micro_usd: 1_250_000, input_tokens: 10, output_tokens: 5 }));
  await sink.write(makeUsageEvent({ request_id: 'b', team: 'search', tags: { service: 'web, "beta"' }, cost_micro_usd: 2_000_000, input_tokens: 20, output_tokens: 7 }));
  await sink.write(makeUsageEvent({ request_id: 'c', team: 'payments', tags: {}, status: 'error', http_status: 502, cost_micro_usd: 0, input_tokens: 0, output_tokens: 0 }));
  // A model listing: an event, but not a billable request.
  await sink.write(makeUsageEvent({ request_id: 'list', team: 'payments', tags: {}, endpoint: '/v1/models', model_requested: null, provider: null, provider_model: null, cost_micro_usd: 0, input_tokens: 0, output_tokens: 0 }));
  // A request that cost less than a cent.
  await sink.write(makeUsageEvent({ request_id: 'tiny', team: 'tiny', tags: {}, cost_micro_usd: 200, input_tokens: 1, output_tokens: 1 }));
  await sink.write(makeUsageEvent({ request_id: 'old', ts: '2026-02-27T10:00:00.000Z', team: 'search', cost_micro_usd: 9_000_000 }));
  await sink.close();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: { SWITCHYARD_DATA_DIR: dataDir },
    cwd: process.cwd(),
    out: () => stdout,
    err: () => stderr,
  };
}

/** Runs the command with "today" inside the test data's month. */
async function report(...argv: string[]): Promise<{ stdout: string }> {
  const io = captureIo();
  await reportCommand(argv, io, new Date('2026-03-20T08:00:00Z'));
  return { stdout: io.out() };
}

describe('switchyard report', () => {
  it('prints spend by team for the current month as JSON by default period', async () => {
    const { stdout } = await report('--by', 'team', '--format', 'json');

    expect(JSON.parse(stdout)).toEqual([
      { team: 'search', requests: 2, non_billable_requests: 0, errors: 0, input_tokens: 30, cached_input_tokens: 0, output_tokens: 12, cost_micro_usd: 3_250_000, cost_usd: 3.25 },
      { team: 'tiny', requests: 1, non_billable_requests: 0, errors: 0, input_tokens: 1, cached_input_tokens: 0, output_tokens: 1, cost_micro_usd: 200, cost_usd: 0.0002 },
      { team: 'payments', requests: 1, non_billable_requests: 1, errors: 1, input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, cost_micro_usd: 0, cost_usd: 0 },
    ]);
  });

  it('honours --since and --until', async () => {
    const { stdout } = await report('--since', '2026-02-01', '--until', '2026-02-28', '--format', 'json');

    expect(JSON.parse(stdout)).toMatchObject([{ team: 'search', requests: 1, cost_usd: 9 }]);
  });

  it('prints CSV with quoting', async () => {
    const { stdout } = await report('--by', 'tag:service', '--format', 'csv');

    const lines = stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('tag_value,requests,non_billable_requests,errors,input_tokens,cached_input_tokens,output_tokens,cost_micro_usd,cost_usd');
    expect(lines).toContain('"web, ""beta""",1,0,0,20,0,7,2000000,2');
    expect(lines).toContain('web,1,0,0,10,0,5,1250000,1.25');
    expect(lines).toContain(',2,1,1,1,0,1,200,0.0002');
  });

  it('prints an aligned table with costs in USD to six decimals (never rounded to cents)', async () => {
    const { stdout } = await report('--by', 'team');

    const [header, rule, first, second, third] = stdout.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual(['team', 'requests', 'non_billable_requests', 'errors', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'cost_usd']);
    expect(rule).toMatch(/^-+( +-+)+$/);
    expect(first?.split(/\s+/)).toEqual(['search', '2', '0', '0', '30', '0', '12', '3.250000']);
    expect(second?.split(/\s+/)).toEqual(['tiny', '1', '0', '0', '1', '0', '1', '0.000200']);
    expect(third?.split(/\s+/)).toEqual(['payments', '1', '1', '1', '0', '0', '0', '0.000000']);
    expect(new Set([header, first, second, third].map((line) => line?.length)).size).toBe(1);
  });

  it('runs any named report with --query', async () => {
    const { stdout } = await report('--query', 'provider-health', '--format', 'json');

    expect(JSON.parse(stdout)).toMatchObject([{ provider: 'openai', provider_model: 'gpt-4o-mini', requests: 4, errors: 1 }]);
  });

  it.each([
    [['--by', 'colour'], /--by must be/],
    [['--by', 'tag:'], /needs a tag name/],
    [['--format', 'xml'], /--format must be/],
    [['--since', '2026-02-30'], /--since must be a day/],
    [['--until', 'yesterday'], /--until must be a day/],
    [['--since', '2026-03-10', '--until', '2026-03-01'], /is after/],
    [['--by', 'team', '--query', 'top-spenders'], /either --by or --query/],
    [['--verbose'], /Unknown option/],
    [['--query', 'nonsense'], /unknown report nonsense/],
  ])('switchyard report %j fails with exit code 2 and says why', async (argv, message) => {
    const io = captureIo();

    const code = await runCli(['report', ...argv], io);

    expect(code).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(message);
  });

  it('is registered in the CLI', async () => {
    const io = captureIo();

    const code = await runCli(['report', '--by', 'team', '--format', 'json', '--since', '2026-03-01', '--until', '2026-03-31'], io);

    expect(code).toBe(0);
    expect(JSON.parse(io.out())).toHaveLength(3);
  });
});
