import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';

const config = {
  providers: { demo: { type: 'mock', text: 'The quick brown fox jumps over the lazy dog.', chunks: 5 } },
  models: { demo: { targets: [{ provider: 'demo', model: 'mock-1' }] } },
};

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

describe('local metrics after a streamed request', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness({ config, key: { name: 'search-app', team: 'search' } });
  });
  afterAll(() => harness.close());

  it('writes one EMF line to <data-dir>/metrics.log that matches the usage event', async () => {
    const stream = await harness.client().chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let completionTokens: number | undefined;
    for await (const chunk of stream) completionTokens = chunk.usage?.completion_tokens ?? completionTokens;
    const [event] = await harness.usageEvents();
    await harness.local.metrics.flush();

    const documents = (await readFile(join(harness.dataDir, 'metrics.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EmfDocument);
    expect(documents).toHaveLength(1);
    const doc = documents[0] as EmfDocument;
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('Switchyard');
    expect(directive?.Dimensions).toEqual([['service'], ['service', 'Provider', 'Model'], ['service', 'ModelAlias'], ['service', 'Team']]);
    expect(Object.fromEntries((directive?.Metrics ?? []).map((metric) => [metric.Name, metric.Unit]))).toMatchObject({
      Requests: 'Count',
      Latency: 'Milliseconds',
      TimeToFirstToken: 'Milliseconds',
      OutputTokens: 'Count',
      CostUSD: 'None',
    });
    expect(doc).toMatchObject({
      Provider: 'demo',
      Model: 'mock-1',
      ModelAlias: 'demo',
      Team: 'search',
      Requests: 1,
      Errors: 0,
      OutputTokens: completionTokens,
      InputTokens: event?.input_tokens,
      Latency: event?.latency_ms,
      TimeToFirstToken: event?.ttft_ms,
      CostUSD: event?.cost_usd,
    });
    expect(event?.ttft_ms).toEqual(expect.any(Number));
  });
});
