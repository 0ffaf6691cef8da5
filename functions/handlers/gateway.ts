import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store';
import { DynamoResponseStore } from '../adapters/aws/dynamo-response-store';
import { DynamoSpendStore } from '../adapters/aws/dynamo-spend-store';
import { EmfMetrics } from '../adapters/aws/emf-metrics';
import { FirehoseAuditSink, FirehoseUsageSink } from '../adapters/aws/firehose-json-sink';
import { createStreamingHandler } from '../adapters/aws/lambda-streaming-handler';
import { powertoolsLogger } from '../adapters/aws/powertools-logger';
import { BACKGROUND_TIMEOUTS, REQUEST_PATH_TIMEOUTS, sdkClientConfig } from '../adapters/aws/sdk-client-config';
import { SecretsManagerSecretStore } from '../adapters/aws/secrets-manager-secret-store';
import { sha256HexSync } from '../adapters/node-sha256';
import type { SwitchyardConfig } from '../core/config/schema';
import { createGateway } from '../core/gateway';
import { withRedaction } from '../core/logging/redact';
import { systemClock } from '../core/ports/clock';
import { METRICS_NAMESPACE } from '../core/usage/request-metrics';
import { defaultProviders, providersWithoutBedrock } from '../providers/registry';
import { FunctionEnv, SERVICE_NAME } from '../deployment-names';
import { requiredEnv } from './required-env';

// The routing config, validated at `cdk synth` and compiled in as an esbuild define
// (lib/constructs/gateway-function.ts): no file read and no parse at cold start.
declare const __SWITCHYARD_CONFIG__: SwitchyardConfig;
// Whether a provider of that config is Bedrock, also a define: when it is `false` the Bedrock
// provider and its SDK client are not in the bundle at all.
declare const __SWITCHYARD_USES_BEDROCK__: boolean;

// Every line goes through the shared redaction (credential headers, key-shaped text).
const logger = withRedaction(powertoolsLogger(new Logger({ serviceName: SERVICE_NAME })));
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig(REQUEST_PATH_TIMEOUTS)));
const metrics = new EmfMetrics({ metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }) });
const firehose = new FirehoseClient(sdkClientConfig(BACKGROUND_TIMEOUTS));
const usageSink = new FirehoseUsageSink({ client: firehose, streamName: requiredEnv(FunctionEnv.UsageStream), logger, metrics });
const auditSink = new FirehoseAuditSink({ client: firehose, streamName: requiredEnv(FunctionEnv.AuditStream), logger, metrics });
const gateway = createGateway(
  {
    keyStore: new DynamoKeyStore(documentClient, requiredEnv(FunctionEnv.KeysTable)),
    spendStore: new DynamoSpendStore(documentClient, requiredEnv(FunctionEnv.SpendTable)),
    responses: new DynamoResponseStore(documentClient, requiredEnv(FunctionEnv.ResponsesTable)),
    secrets: new SecretsManagerSecretStore({
      provider: new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(sdkClientConfig(REQUEST_PATH_TIMEOUTS)) }),
      prefix: requiredEnv(FunctionEnv.SecretPrefix),
      logger,
    }),
    usageSink,
    auditSink,
    metrics,
    clock: systemClock,
    logger,
    hashKey: sha256HexSync,
    fetch: globalThis.fetch,
    providers: __SWITCHYARD_USES_BEDROCK__ ? defaultProviders : providersWithoutBedrock,
  },
  __SWITCHYARD_CONFIG__,
);

/** The gateway Lambda: the streaming adapter over the core, flushing usage and audit, then metrics, after each response. */
export const handler = createStreamingHandler(gateway, {
  afterResponse: async () => {
    // The sinks first: a record they cannot deliver is counted in the metrics flushed next.
    await Promise.all([usageSink.flush(), auditSink.flush()]);
    await metrics.flush();
  },
});
