import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/executionModeStreamifyResponse';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store';
import { DynamoSpendStore } from '../adapters/aws/dynamo-spend-store';
import { EmfMetrics } from '../adapters/aws/emf-metrics';
import { FirehoseUsageSink } from '../adapters/aws/firehose-usage-sink';
import { powertoolsLogger } from '../adapters/aws/powertools-logger';
import { BACKGROUND_TIMEOUTS, REQUEST_PATH_TIMEOUTS, sdkClientConfig } from '../adapters/aws/sdk-client-config';
import { SecretsManagerSecretStore } from '../adapters/aws/secrets-manager-secret-store';
import type { SwitchyardConfig } from '../core/config/schema';
import { createGateway } from '../core/gateway';
import { withRedaction } from '../core/logging/redact';
import { systemClock } from '../core/ports/clock';
import { METRICS_NAMESPACE } from '../core/usage/request-metrics';
import { defaultProviders } from '../providers/registry';
import { toStreamingResponse, toWebRequest } from './api-gateway-http';
import type { StreamingHandlerResponse } from './api-gateway-http';
import { principalFromContext } from './principal-context';
import { FunctionEnv, SERVICE_NAME } from '../deployment-names';
import { requiredEnv } from './required-env';

// The routing config, validated at `cdk synth` and compiled in as an esbuild define
// (lib/constructs/gateway-function.ts): no file read and no parse at cold start.
declare const __SWITCHYARD_CONFIG__: SwitchyardConfig;

// Every line goes through the shared redaction (credential headers, key-shaped text).
const logger = withRedaction(powertoolsLogger(new Logger({ serviceName: SERVICE_NAME })));
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig(REQUEST_PATH_TIMEOUTS)));
const metrics = new EmfMetrics({ metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }) });
const usageSink = new FirehoseUsageSink({ client: new FirehoseClient(sdkClientConfig(BACKGROUND_TIMEOUTS)), streamName: requiredEnv(FunctionEnv.UsageStream), logger, metrics });
const gateway = createGateway(
  {
    keyStore: new DynamoKeyStore(documentClient, requiredEnv(FunctionEnv.KeysTable)),
    spendStore: new DynamoSpendStore(documentClient, requiredEnv(FunctionEnv.SpendTable)),
    secrets: new SecretsManagerSecretStore({
      provider: new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(sdkClientConfig(REQUEST_PATH_TIMEOUTS)) }),
      prefix: requiredEnv(FunctionEnv.SecretPrefix),
      logger,
    }),
    usageSink,
    metrics,
    clock: systemClock,
    logger,
    fetch: globalThis.fetch,
    providers: defaultProviders,
  },
  __SWITCHYARD_CONFIG__,
);

/** Work of one invocation that outlives the handler's return (the body still streams). */
interface Invocation {
  readonly abort: AbortController;
  readonly pending: Promise<unknown>[];
  bodyComplete: boolean;
}
const invocations = new WeakMap<Context, Invocation>();

/**
 * The gateway Lambda, in response-streaming mode. The handler converts the proxy event to a
 * `Request`, calls the core with the authorizer's principal, and returns status and headers with
 * the body as a stream; middy writes them through `awslambda.HttpResponseStream.from` and pipes
 * the body as it is produced. After the body (or its failure), `requestEnd` aborts the upstream
 * call if the body did not complete (the stream failed), waits for settlement and the usage event, then sends
 * the buffered usage events to Firehose and publishes the EMF metrics (after the stream, as
 * Powertools' `logMetrics` middleware would flush before the body — DESIGN §9).
 *
 * Lambda does not tell a function that its client disconnected (DESIGN §9): the invocation runs
 * on, so a generation whose client left continues to its end, bounded by the output limit the
 * budget reserved for and by `timeouts.idleMs` / `totalMs`, and is charged for what it produced.
 */
export const handler = middy<APIGatewayProxyEvent, StreamingHandlerResponse>({
  executionMode: executionModeStreamifyResponse,
  requestEnd: async (request) => {
    const invocation = invocations.get(request.context);
    if (!invocation) return;
    invocations.delete(request.context);
    if (!invocation.bodyComplete) invocation.abort.abort(new Error('response stream closed before the body was complete'));
    await Promise.allSettled(invocation.pending);
    // The sink first: an event it cannot deliver is counted in the metrics flushed next.
    await usageSink.flush();
    await metrics.flush();
  },
}).handler(async (event, context) => {
  const invocation: Invocation = { abort: new AbortController(), pending: [], bodyComplete: false };
  invocations.set(context, invocation);
  const response = await gateway(toWebRequest(event, invocation.abort.signal), {
    principal: principalFromContext(event.requestContext.authorizer),
    waitUntil: (promise) => invocation.pending.push(promise),
  });
  const result = toStreamingResponse(response);
  if (typeof result.body === 'string') invocation.bodyComplete = true;
  else result.body.once('end', () => (invocation.bodyComplete = true));
  return result;
});
