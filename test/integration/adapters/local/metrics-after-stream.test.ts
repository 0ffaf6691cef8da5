import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGatewayHarness, type GatewayHarness } from '../../../helpers/gateway-harness';

const config = {
  providers: {
    demo: { type: 'mock', text: 'The quick brown fox jumps over the lazy dog.', chunks: 5 },
    down: { type: 'mock', error: { status: 503, message: 'primary is down' } },
  },
  models: {
    demo: { targets: [{ provider: 'demo', model: 'mock-1' }] },
    saved: { targets: [{ provider: 'down', model: 'primary-1' }, { provider: 'demo', model: 'mock-1' }] },
  },
  retry: { attempts: 2, backoffMs: 0 },
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

  async function metricsLog(): Promise<EmfDocument[]> {
    await harness.local.metrics.flush();
    return (await readFile(join(harness.dataDir, 'metrics.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EmfDocument);
  }

  it("writes the request's EMF line to <data-dir>/metrics.log, matching the usage event, then its attempts per provider model", async () => {
    const stream = await harness.client().chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let completionTokens: number | undefined;
    for await (const chunk of stream) completionTokens = chunk.usage?.completion_tokens ?? completionTokens;
    const [event] = await harness.usageEvents();

    const documents = await metricsLog();
    expect(documents).toHaveLength(2);
    expect(documents[1]).toMatchObject({ Provider: 'demo', Model: 'mock-1', ProviderAttempts: 1, ProviderAttemptFailures: 0 });
    expect(documents[1]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'Provider', 'Model']]);
    const doc = documents[0] as EmfDocument;
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('Switchyard');
    expect(directive?.Dimensions).toEqual([['service'], ['service', 'Provider', 'Model'], ['service', 'ModelAlias'], ['service', 'Team']]);
    expect(Object.fromEntries((directive?.Metrics ?? []).map((metric) => [metric.Name, metric.Unit]))).toMatchObject({
      Requests: 'Count',
      Latency: 'Milliseconds',
      TimeToFirstToken: 'Milliseconds',
      GatewayOverhead: 'Milliseconds',
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
      GatewayOverhead: event?.overhead_ms,
      CostUSD: event?.cost_usd,
    });
    expect(event?.ttft_ms).toEqual(expect.any(Number));
    expect(event?.overhead_ms).toEqual(expect.any(Number));
  });

  it('counts the failed attempts of a primary that its fallback saved, under the primary', async () => {
    const before = (await metricsLog()).length;
    const completion = await harness.client().chat.completions.create({ model: 'saved', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toContain('quick brown fox');
    await harness.usageEvents();

    const documents = (await metricsLog()).slice(before);
    // The request itself succeeded on the fallback: no error in the request's own metrics...
    expect(documents[0]).toMatchObject({ Provider: 'demo', Model: 'mock-1', Requests: 1, Errors: 0, Attempts: 3, Fallbacks: 1 });
    // ...but the primary's two failed attempts (first try and retry) are counted against it.
    expect(documents.slice(1)).toEqual([
      expect.objectContaining({ Provider: 'down', Model: 'primary-1', ProviderAttempts: 2, ProviderAttemptFailures: 2 }),
      expect.objectContaining({ Provider: 'demo', Model: 'mock-1', ProviderAttempts: 1, ProviderAttemptFailures: 0 }),
    ]);
  });
});
