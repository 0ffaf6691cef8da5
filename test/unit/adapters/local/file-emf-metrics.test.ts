import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmfMetrics } from '../../../../functions/adapters/aws/emf-metrics';
import { FileEmfMetrics } from '../../../../functions/adapters/local/file-emf-metrics';
import { silentLogger } from '../../../../functions/core/ports/logger';
import { METRICS_NAMESPACE } from '../../../../functions/core/usage/request-metrics';
import type { AttemptOutcome } from '../../../../functions/core/usage/request-record';
import type { UsageEvent } from '../../../../functions/core/usage/usage-event';
import { captureStdout } from '../../../helpers/emf-stdout';
import { makeUsageEvent } from '../../../helpers/usage-events';

/** The lines of metrics.log, parsed, without the time each was written. */
async function metricsLog(dataDir: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(dataDir, 'metrics.log'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => withoutTimestamp(JSON.parse(line) as Record<string, unknown>));
}

function withoutTimestamp(document: Record<string, unknown>): Record<string, unknown> {
  const aws = document._aws as { Timestamp: number };
  expect(typeof aws.Timestamp).toBe('number');
  return { ...document, _aws: { ...aws, Timestamp: 0 } };
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-metrics-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('FileEmfMetrics', () => {
  it('appends one EMF document per finished request to <data-dir>/metrics.log, in order', async () => {
    const metrics = new FileEmfMetrics({ dataDir, logger: silentLogger });

    metrics.recordRequest(makeUsageEvent({ team: 'search', stream: true, ttft_ms: 80 }));
    metrics.recordRequest(makeUsageEvent({ team: 'payments', status: 'error', http_status: 503 }));
    metrics.recordUsageDeliveryFailure(1);
    await metrics.close();

    const documents = (await readFile(join(dataDir, 'metrics.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } });
    expect(documents.map((doc) => doc._aws.CloudWatchMetrics[0]?.Namespace)).toEqual(['Switchyard', 'Switchyard', 'Switchyard']);
    expect(documents.map((doc) => [doc.Team, doc.Errors, doc.TimeToFirstToken, doc.UsageDeliveryFailures])).toEqual([
      ['search', 0, 80, undefined],
      ['payments', 1, undefined, undefined],
      [undefined, undefined, undefined, 1],
    ]);
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toContainEqual(['service', 'Team']);
  });

  it('writes, line for line, the documents Powertools Metrics prints on Lambda', async () => {
    const requests: Array<[UsageEvent, AttemptOutcome[]]> = [
      [makeUsageEvent({ team: 'search', stream: true, ttft_ms: 80, overhead_ms: 0.31 }), [{ provider: 'openai', model: 'gpt-4o-mini', failed: false } as AttemptOutcome]],
      [
        makeUsageEvent({ team: null, provider: 'anthropic', provider_model: 'claude-sonnet-4-5', attempts: 3, fallbacks: 1, overhead_ms: null, cost_usd: 0.003891 }),
        [
          { provider: 'openai', model: 'gpt-4o', failed: true } as AttemptOutcome,
          { provider: 'openai', model: 'gpt-4o', failed: true } as AttemptOutcome,
          { provider: 'anthropic', model: 'claude-sonnet-4-5', failed: false } as AttemptOutcome,
        ],
      ],
      [makeUsageEvent({ provider: null, provider_model: null, model_requested: null, status: 'error', http_status: 401, error_type: 'invalid_api_key', attempts: 0 }), []],
      [makeUsageEvent({ status: 'upstream_cut', http_status: 200, error_type: 'budget_exceeded' }), [{ provider: 'openai', model: 'gpt-4o-mini', failed: false } as AttemptOutcome]],
    ];
    // What Powertools prints to stdout on Lambda, one document per line.
    const stdout = captureStdout();
    const powertools = new EmfMetrics({ metrics: new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: 'switchyard' }) });
    const local = new FileEmfMetrics({ dataDir, logger: silentLogger });
    try {
      for (const [event, attempts] of requests) {
        powertools.recordRequest(event, attempts);
        await powertools.flush();
        local.recordRequest(event, attempts);
      }
      powertools.recordUsageDeliveryFailure(2);
      await powertools.flush();
      local.recordUsageDeliveryFailure(2);
      powertools.recordAuditDeliveryFailure(1);
      await powertools.flush();
      local.recordAuditDeliveryFailure(1);
    } finally {
      stdout.restore();
    }
    await local.close();

    const expected = stdout.documents().map((document) => withoutTimestamp(document));
    // Each request's document and one per provider model attempted, then the two failure counts.
    expect(expected).toHaveLength(2 + 3 + 1 + 2 + 1 + 1);
    // Same documents, same keys in the same order.
    expect((await metricsLog(dataDir)).map((document) => JSON.stringify(document))).toEqual(expected.map((document) => JSON.stringify(document)));
  });
});
