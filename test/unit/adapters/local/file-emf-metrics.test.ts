import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileEmfMetrics } from '../../../../functions/adapters/local/file-emf-metrics';
import { silentLogger } from '../../../../functions/core/ports/logger';
import { makeUsageEvent } from '../../../helpers/usage-events';

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
});
