import { Metrics } from '@aws-lambda-powertools/metrics';
import { EmfMetrics } from '../../../../functions/adapters/aws/emf-metrics';
import { METRICS_NAMESPACE } from '../../../../functions/core/usage/request-metrics';
import { captureStdout, type EmfDocument } from '../../../helpers/emf-stdout';
import { makeUsageEvent } from '../../../helpers/usage-events';

function newMetrics(): EmfMetrics {
  return new EmfMetrics({ metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'switchyard' }) });
}

const directive = (doc: EmfDocument) => doc._aws.CloudWatchMetrics[0];
const units = (doc: EmfDocument) => Object.fromEntries((directive(doc)?.Metrics ?? []).map((metric) => [metric.Name, metric.Unit]));

let stdout: ReturnType<typeof captureStdout>;
beforeEach(() => {
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

describe('EmfMetrics', () => {
  const streamed = makeUsageEvent({
    request_id: 'req_stream',
    stream: true,
    model_requested: 'smart',
    provider: 'anthropic',
    provider_model: 'claude-sonnet-4-5',
    team: 'payments',
    attempts: 2,
    fallbacks: 1,
    input_tokens: 812,
    output_tokens: 97,
    cost_usd: 0.003891,
    latency_ms: 1530,
    ttft_ms: 412,
    overhead_ms: 0.37,
  });

  it('publishes nothing until flush', async () => {
    const metrics = newMetrics();

    metrics.recordRequest(streamed);

    expect(stdout.documents()).toEqual([]);
  });

  it('publishes a streamed request as one EMF document with the DESIGN §5 names, units and dimension sets', async () => {
    const metrics = newMetrics();

    metrics.recordRequest(streamed);
    await metrics.flush();

    const documents = stdout.documents();
    expect(documents).toHaveLength(1);
    const doc = documents[0] as EmfDocument;
    expect(directive(doc)?.Namespace).toBe('Switchyard');
    expect(directive(doc)?.Dimensions).toEqual([['service'], ['service', 'Provider', 'Model'], ['service', 'ModelAlias'], ['service', 'Team']]);
    expect(units(doc)).toEqual({
      Requests: 'Count',
      Errors: 'Count',
      Latency: 'Milliseconds',
      TimeToFirstToken: 'Milliseconds',
      GatewayOverhead: 'Milliseconds',
      InputTokens: 'Count',
      OutputTokens: 'Count',
      CostUSD: 'None',
      Attempts: 'Count',
      Fallbacks: 'Count',
      BudgetRejections: 'Count',
      RateLimitRejections: 'Count',
      ReleasedReservations: 'Count',
    });
    expect(doc).toMatchObject({
      service: 'switchyard',
      Provider: 'anthropic',
      Model: 'claude-sonnet-4-5',
      ModelAlias: 'smart',
      Team: 'payments',
      Requests: 1,
      Errors: 0,
      Latency: 1530,
      TimeToFirstToken: 412,
      GatewayOverhead: 0.37,
      InputTokens: 812,
      OutputTokens: 97,
      CostUSD: 0.003891,
      Attempts: 2,
      Fallbacks: 1,
      BudgetRejections: 0,
      RateLimitRejections: 0,
    });
  });

  it.each([
    ['an upstream 502', { status: 'error', http_status: 502, error_type: 'upstream_error' }, { Errors: 1, BudgetRejections: 0, RateLimitRejections: 0 }],
    ['a stream cut by the upstream', { status: 'upstream_cut', http_status: 200 }, { Errors: 1, BudgetRejections: 0, RateLimitRejections: 0 }],
    ['a budget rejection', { status: 'error', http_status: 429, error_type: 'budget_exceeded' }, { Errors: 0, BudgetRejections: 1, RateLimitRejections: 0 }],
    ['a rate-limit rejection', { status: 'error', http_status: 429, error_type: 'rate_limit_exceeded' }, { Errors: 0, BudgetRejections: 0, RateLimitRejections: 1 }],
    ['a bad request', { status: 'error', http_status: 400, error_type: 'invalid_request_error' }, { Errors: 0, BudgetRejections: 0, RateLimitRejections: 0 }],
    ['a client disconnect', { status: 'client_closed', http_status: 200 }, { Errors: 0, BudgetRejections: 0, RateLimitRejections: 0 }],
  ] as const)('counts %s', async (_name, overrides, expected) => {
    const metrics = newMetrics();

    metrics.recordRequest(makeUsageEvent(overrides));
    await metrics.flush();

    expect(stdout.documents()[0]).toMatchObject({ Requests: 1, ...expected });
  });

  it('leaves out a dimension set whose value is unknown and omits TimeToFirstToken without a first token', async () => {
    const metrics = newMetrics();

    metrics.recordRequest(makeUsageEvent({ provider: null, provider_model: null, team: null, ttft_ms: null, status: 'error', http_status: 429, error_type: 'rate_limit_exceeded' }));
    await metrics.flush();

    const doc = stdout.documents()[0] as EmfDocument;
    expect(directive(doc)?.Dimensions).toEqual([['service'], ['service', 'ModelAlias']]);
    expect(units(doc)).not.toHaveProperty('TimeToFirstToken');
    expect(doc).not.toHaveProperty('Provider');
    expect(doc).not.toHaveProperty('Team');
  });

  it('publishes each request in its own document so dimension values never mix', async () => {
    const metrics = newMetrics();

    metrics.recordRequest(streamed);
    metrics.recordRequest(makeUsageEvent({ request_id: 'req_other', provider: 'openai', provider_model: 'gpt-4o-mini', team: 'search' }));
    await metrics.flush();

    const documents = stdout.documents();
    expect(documents.map((doc) => [doc.Provider, doc.Team])).toEqual([
      ['anthropic', 'payments'],
      ['openai', 'search'],
    ]);
  });

  it('publishes usage delivery failures under the service dimension only', async () => {
    const metrics = newMetrics();

    metrics.recordUsageDeliveryFailure(2);
    metrics.recordUsageDeliveryFailure(1);
    await metrics.flush();
    await metrics.flush();

    const documents = stdout.documents();
    expect(documents).toHaveLength(1);
    expect(directive(documents[0] as EmfDocument)).toMatchObject({ Dimensions: [['service']], Metrics: [{ Name: 'UsageDeliveryFailures', Unit: 'Count' }] });
    expect(documents[0]).toMatchObject({ UsageDeliveryFailures: 3 });
  });
});
