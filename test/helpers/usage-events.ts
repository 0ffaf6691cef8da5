import type { UsageEvent } from '../../functions/core/usage/usage-event';

/** A complete, successful usage event; `overrides` replace fields. */
export function makeUsageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    request_id: 'req_0001',
    ts: '2026-03-14T10:00:00.000Z',
    key_id: 'key_alpha',
    key_name: 'alpha',
    team: 'search',
    tags: { service: 'search', feature: 'autocomplete' },
    user: null,
    endpoint: '/v1/chat/completions',
    model_requested: 'fast',
    provider: 'openai',
    provider_model: 'gpt-4o-mini',
    stream: false,
    status: 'ok',
    http_status: 200,
    error_type: null,
    attempts: 1,
    fallbacks: 0,
    input_tokens: 120,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 30,
    reasoning_tokens: 0,
    usage_estimated: false,
    cost_usd: 0.000036,
    cost_micro_usd: 36,
    price_version: '2026-03-01',
    latency_ms: 420,
    ttft_ms: null,
    overhead_ms: 0.42,
    ...overrides,
  };
}

/** `count` distinct events with request ids `req_0000`, `req_0001`, … */
export function makeUsageEvents(count: number, overrides: Partial<UsageEvent> = {}): UsageEvent[] {
  return Array.from({ length: count }, (_, index) =>
    makeUsageEvent({ request_id: `req_${String(index).padStart(4, '0')}`, ...overrides }),
  );
}
