import { TestClock } from '../../helpers/test-clock';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { FirehoseUsageSink } from '../../../functions/adapters/aws/firehose-json-sink';
import type { Metrics } from '../../../functions/core/ports/metrics';
import { startFakeFirehose } from '../../helpers/fake-firehose';
import type { UsageEvent } from '../../../functions/core/usage/usage-event';
import { startCoreGateway } from '../../helpers/hardening/core-gateway';

/**
 * The usage sink unavailable (Firehose down, the disk full): requests are still served, and no
 * event is lost silently — each undelivered event is logged whole as one structured error line
 * and counted in the `UsageDeliveryFailures` metric, so it can be recovered from the logs.
 */
describe('usage sink unavailable', () => {
  it('serves every request and logs each undelivered event whole, with a metric', async () => {
    const failures: number[] = [];
    const recorded: UsageEvent[] = [];
    const metrics: Metrics = { recordRequest: (event) => void recorded.push(event), recordUsageDeliveryFailure: (count) => void failures.push(count), flush: async () => undefined };
    const core = await startCoreGateway({
      config: { providers: { demo: { type: 'mock' } }, models: { demo: { targets: [{ provider: 'demo', model: 'mock-1' }] } } },
      usageSink: { write: async () => Promise.reject(new Error('ServiceUnavailableException: Firehose is down')) },
      metrics,
    });
    const requests = [false, true, false].map((stream) => new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${core.key}` }, body: JSON.stringify({ model: 'demo', stream, messages: [{ role: 'user', content: 'hi' }] }) }));
    requests.push(new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer sk-sy-unknown' }, body: '{}' }));

    const statuses = await Promise.all(
      requests.map(async (request) => {
        const response = await core.gateway(request);
        await response.text();
        return response.status;
      }),
    );
    await core.settled();

    expect(statuses).toEqual([200, 200, 200, 401]);
    const lines = core.logs.filter((line) => line.level === 'error' && line.message === 'usage event not written');
    expect(lines).toHaveLength(4);
    const logged = lines.map((line) => line.fields?.usage_event as UsageEvent);
    expect(logged.map((event) => event.request_id).sort()).toEqual(recorded.map((event) => event.request_id).sort());
    expect(logged.filter((event) => event.status === 'ok' && event.cost_micro_usd >= 0 && event.output_tokens > 0)).toHaveLength(3);
    expect(failures.reduce((sum, count) => sum + count, 0)).toBe(4);
  });
});

describe('Firehose unavailable, with the real Firehose sink behind the gateway', () => {
  it('serves the requests, then logs every event it could not deliver whole and counts it', async () => {
    const firehose = await startFakeFirehose(() => ({ kind: 'reject', status: 503, errorType: 'ServiceUnavailableException' }));
    const failures: number[] = [];
    const recorded: UsageEvent[] = [];
    const logged: UsageEvent[] = [];
    try {
      const client = new FirehoseClient({ region: 'us-east-1', endpoint: firehose.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
      const sink = new FirehoseUsageSink({
        client,
        streamName: 'usage',
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (_message, fields) => void logged.push(fields?.usage_event as UsageEvent) },
        metrics: { recordUsageDeliveryFailure: (count) => void failures.push(count) },
        clock: new TestClock(0),
      });
      const metrics: Metrics = { recordRequest: (event) => void recorded.push(event), flush: async () => undefined };
      const core = await startCoreGateway({
        config: { providers: { demo: { type: 'mock' } }, models: { demo: { targets: [{ provider: 'demo', model: 'mock-1' }] } } },
        usageSink: sink,
        metrics,
      });
      const statuses = await Promise.all(
        [false, true].map(async (stream) => {
          const response = await core.gateway(new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${core.key}` }, body: JSON.stringify({ model: 'demo', stream, messages: [{ role: 'user', content: 'hi' }] }) }));
          await response.text();
          return response.status;
        }),
      );
      await core.settled();
      await sink.flush(); // what the Lambda handler does in requestEnd

      expect(statuses).toEqual([200, 200]);
      expect(firehose.calls.length).toBeGreaterThan(0); // it tried
      expect(firehose.stored).toEqual([]);
      expect(logged.map((event) => event.request_id).sort()).toEqual(recorded.map((event) => event.request_id).sort());
      expect(failures.reduce((sum, count) => sum + count, 0)).toBe(2);
    } finally {
      await firehose.close();
    }
  });
});
