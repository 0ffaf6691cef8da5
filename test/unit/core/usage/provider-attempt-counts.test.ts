import { providerAttemptCounts } from '../../../../functions/core/usage/request-metrics';
import { makeUsageEvent } from '../../../helpers/usage-events';

describe('providerAttemptCounts', () => {
  const primary = { provider: 'openai', model: 'gpt-4o' };
  const fallback = { provider: 'anthropic', model: 'claude-sonnet-4-5' };

  it('counts each provider model once, with its attempts and the ones its provider failed', () => {
    const event = makeUsageEvent({ status: 'ok', provider: fallback.provider, provider_model: fallback.model });
    const counts = providerAttemptCounts(event, [
      { ...primary, failed: true },
      { ...primary, failed: true },
      { ...fallback, failed: false },
    ]);
    expect(counts).toEqual([
      { dimensions: { Provider: 'openai', Model: 'gpt-4o' }, attempts: 2, failures: 2 },
      { dimensions: { Provider: 'anthropic', Model: 'claude-sonnet-4-5' }, attempts: 1, failures: 0 },
    ]);
  });

  it('counts a stream the upstream cut as a failure of the attempt that was streaming', () => {
    const event = makeUsageEvent({ status: 'upstream_cut', http_status: 200 });
    expect(providerAttemptCounts(event, [{ ...primary, failed: true }, { ...fallback, failed: false }])).toEqual([
      { dimensions: { Provider: 'openai', Model: 'gpt-4o' }, attempts: 1, failures: 1 },
      { dimensions: { Provider: 'anthropic', Model: 'claude-sonnet-4-5' }, attempts: 1, failures: 1 },
    ]);
  });

  it('does not count a client-caused end (a 4xx from the provider, a client that left) against the provider', () => {
    const event = makeUsageEvent({ status: 'client_closed', http_status: 499 });
    expect(providerAttemptCounts(event, [{ ...primary, failed: false }])).toEqual([{ dimensions: { Provider: 'openai', Model: 'gpt-4o' }, attempts: 1, failures: 0 }]);
  });

  it('has nothing to count for a request that never reached a provider', () => {
    expect(providerAttemptCounts(makeUsageEvent({ status: 'error', http_status: 401 }), [])).toEqual([]);
  });
});
