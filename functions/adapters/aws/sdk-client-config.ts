/** Connection and socket timeouts of an AWS SDK client, in milliseconds. */
export interface SdkTimeouts {
  /** Longest wait for a TCP/TLS connection. */
  readonly connectionMs: number;
  /** Longest a whole call (request sent, response read) may take before it fails (and may be retried). */
  readonly requestMs: number;
}

/** On the request path (DynamoDB, Secrets Manager): a stuck call must fail fast, as a 503, not hang. */
export const REQUEST_PATH_TIMEOUTS: SdkTimeouts = { connectionMs: 2_000, requestMs: 5_000 };
/** After the response (Firehose usage delivery): bounded, with room for a large batch. */
export const BACKGROUND_TIMEOUTS: SdkTimeouts = { connectionMs: 3_000, requestMs: 15_000 };
/** The CLI against a deployed stack (CloudFormation, DynamoDB, Athena) over any network. */
export const CLI_TIMEOUTS: SdkTimeouts = { connectionMs: 10_000, requestMs: 60_000 };

/**
 * Client configuration with connection and request timeouts, for any AWS SDK v3 client: the SDK
 * builds its Node.js HTTP handler from these options. Without them a half-open connection can
 * hold a request until the Lambda times out. `throwOnRequestTimeout` is needed for the request
 * timeout to fail the call: without it, @smithy/node-http-handler only logs a warning.
 *
 * @example
 * new DynamoDBClient(sdkClientConfig(REQUEST_PATH_TIMEOUTS))
 */
export function sdkClientConfig(timeouts: SdkTimeouts): {
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
} {
  return { requestHandler: { connectionTimeout: timeouts.connectionMs, requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true } };
}
