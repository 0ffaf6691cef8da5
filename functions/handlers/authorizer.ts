import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store';
import { powertoolsLogger } from '../adapters/aws/powertools-logger';
import { REQUEST_PATH_TIMEOUTS, sdkClientConfig } from '../adapters/aws/sdk-client-config';
import { sha256HexSync } from '../adapters/node-sha256';
import { GatewayError } from '../core/errors';
import { withRedaction } from '../core/logging/redact';
import { authenticate, virtualKeyOf } from '../core/pipeline/authenticate';
import { principalToContext } from '../adapters/aws/principal-context';
import { FunctionEnv, SERVICE_NAME } from '../deployment-names';
import { requiredEnv } from './required-env';

// The same redaction as the gateway: a lookup error could quote a key-shaped string.
const logger = withRedaction(powertoolsLogger(new Logger({ serviceName: `${SERVICE_NAME}-authorizer` })));
const keyStore = new DynamoKeyStore(DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig(REQUEST_PATH_TIMEOUTS))), requiredEnv(FunctionEnv.KeysTable));

/**
 * The REQUEST authorizer: authenticates the virtual key in `Authorization` with the core's key
 * authentication against the DynamoDB key store and returns the principal as context.
 * A bad key throws `Unauthorized` (API Gateway's 401); a store failure throws anything else,
 * which API Gateway answers with 500: the gateway fails closed.
 * The policy allows every method of the stage because API Gateway caches it per key for 60 s
 * and reuses it for the key's next requests, whatever their path.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const authorization = headerValue(event.headers, 'authorization');
  try {
    const principal = await authenticate(virtualKeyOf(authorization), keyStore, Date.now(), sha256HexSync);
    return {
      principalId: principal.keyId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
      },
      context: principalToContext(principal),
    };
  } catch (error) {
    if (error instanceof GatewayError && error.status === 401) {
      logger.info('key rejected', { code: error.code });
      throw new Error('Unauthorized');
    }
    logger.error('key lookup failed', { error: String(error) });
    throw error;
  }
}

/** `arn:…:api-id/stage/METHOD/path` → `arn:…:api-id/stage/*`. */
function stageWildcard(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}

function headerValue(headers: Record<string, string | undefined> | null, name: string): string | null {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name && value !== undefined) return value;
  return null;
}
