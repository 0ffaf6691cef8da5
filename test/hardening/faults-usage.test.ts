import type { Metrics } from '../../functions/core/ports/metrics';
import type { UsageEvent } from '../../functions/core/usage/usage-event';
import { startCoreGateway } from './core-gateway';

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
    const logged = lines.map((line) => line.fields?.usageEvent as UsageEvent);
    expect(logged.map((event) => event.request_id).sort()).toEqual(recorded.map((event) => event.request_id).sort());
    expect(logged.filter((event) => event.status === 'ok' && event.cost_micro_usd >= 0 && event.output_tokens > 0)).toHaveLength(3);
    expect(failures.reduce((sum, count) => sum + count, 0)).toBe(4);
  });
});
