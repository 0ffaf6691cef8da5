import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoSpendStore } from '../adapters/aws/dynamo-spend-store';
import { EmfMetrics } from '../adapters/aws/emf-metrics';
import { FirehoseAuditSink, FirehoseUsageSink } from '../adapters/aws/firehose-json-sink';
import { powertoolsLogger } from '../adapters/aws/powertools-logger';
import { BACKGROUND_TIMEOUTS, sdkClientConfig } from '../adapters/aws/sdk-client-config';
import { withRedaction } from '../core/logging/redact';
import { sweepExpiredReservations } from '../core/pipeline/sweep-reservations';
import { systemClock } from '../core/ports/clock';
import { METRICS_NAMESPACE } from '../core/usage/request-metrics';
import { FunctionEnv, SERVICE_NAME } from '../deployment-names';
import { requiredEnv } from './required-env';

const logger = withRedaction(powertoolsLogger(new Logger({ serviceName: `${SERVICE_NAME}-sweeper` })));
// The gateway's service name: a released request's metrics belong with the requests' own.
const metrics = new EmfMetrics({ metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }) });
const spendStore = new DynamoSpendStore(DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig(BACKGROUND_TIMEOUTS))), requiredEnv(FunctionEnv.SpendTable));
const firehose = new FirehoseClient(sdkClientConfig(BACKGROUND_TIMEOUTS));
const usageSink = new FirehoseUsageSink({ client: firehose, streamName: requiredEnv(FunctionEnv.UsageStream), logger, metrics });
const auditSink = new FirehoseAuditSink({ client: firehose, streamName: requiredEnv(FunctionEnv.AuditStream), logger, metrics });

/**
 * The reservation sweeper, run every minute by an EventBridge schedule: releases the
 * reservations of requests that died without settling them (Lambda timeout or crash) once their
 * expiry has passed, charged at their estimate, and writes the usage event each such request
 * never wrote (DESIGN §4), and the audit record of each audited one. Runs that overlap release
 * each reservation once.
 */
export async function handler(): Promise<{ released: number }> {
  try {
    const released = await sweepExpiredReservations({ spendStore, usageSink, auditSink, metrics, clock: systemClock, logger });
    if (released > 0) logger.info('released expired reservations', { released });
    return { released };
  } finally {
    // The sinks first: a record they cannot deliver is counted in the metrics flushed next.
    await Promise.all([usageSink.flush(), auditSink.flush()]);
    await metrics.flush();
  }
}
