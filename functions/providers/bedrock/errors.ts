import { GatewayError } from '../../core/errors';
import { classifyUpstreamError } from '../error-mapping';
import { networkError } from '../http-provider';
import type { CallContext } from '../../core/ports/provider';
import type { BedrockSettings } from './settings';

/**
 * The HTTP status each Bedrock runtime exception stands for, as the shared classification table
 * understands it. Bedrock's own codes are not always the meaningful ones: a model stream error
 * is HTTP 424 but means the model failed (retry), a quota exception is HTTP 400 but means
 * "too much" (retry later), a model that is not ready yet is a transient 503.
 */
const STATUS_BY_EXCEPTION: Readonly<Record<string, number>> = {
  ThrottlingException: 429,
  ServiceQuotaExceededException: 429,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  ExpiredTokenException: 403,
  ResourceNotFoundException: 404,
  ValidationException: 400,
  ConflictException: 400,
  ModelTimeoutException: 408,
  ModelErrorException: 502,
  ModelStreamErrorException: 502,
  ModelNotReadyException: 503,
  ServiceUnavailableException: 503,
  InternalServerException: 500,
};

/** Fields of an AWS SDK service exception that the mapping reads. */
interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  originalStatusCode?: unknown;
  originalMessage?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Maps anything `client.send` or the event stream threw to a GatewayError with a verdict:
 * modelled Bedrock exceptions (before the stream or as exception frames in it) go through the
 * shared {@link classifyUpstreamError} table; an abort rethrows the signal's reason; anything
 * else (connection refused, reset, malformed frames) is a retryable connection error.
 */
export function mapBedrockError(error: unknown, ctx: CallContext<BedrockSettings>): unknown {
  if (ctx.signal.aborted) return ctx.signal.reason;
  if (error instanceof GatewayError || typeof error !== 'object' || error === null) return networkError(error, ctx);
  const sdk = error as SdkErrorShape;
  const name = typeof sdk.name === 'string' ? sdk.name : '';
  const status = statusOf(name, sdk);
  if (status === undefined) return networkError(error, ctx);
  const message = typeof sdk.message === 'string' && sdk.message !== '' ? sdk.message : name;
  const detail = typeof sdk.originalMessage === 'string' ? ` (${sdk.originalMessage})` : '';
  return classifyUpstreamError({ status, message: `${name}: ${message}${detail}`, providerName: ctx.providerName });
}

/**
 * A model stream error that carries the model's own failure status (529 overloaded, 500) is
 * classified by that status; otherwise the exception name decides, then the HTTP status.
 */
function statusOf(name: string, sdk: SdkErrorShape): number | undefined {
  if ((name === 'ModelStreamErrorException' || name === 'ModelErrorException') && typeof sdk.originalStatusCode === 'number' && (sdk.originalStatusCode >= 500 || sdk.originalStatusCode === 429)) {
    return sdk.originalStatusCode;
  }
  return STATUS_BY_EXCEPTION[name] ?? sdk.$metadata?.httpStatusCode;
}
