import { GatewayError } from '../errors';
import { formatMicroUsd } from '../ports/spend-store';

/**
 * 429 `budget_exceeded`: the request's worst-case cost does not fit the remaining budget of the
 * key or its team. The message states what remains so the caller can tell a full budget from a
 * request that is merely too large (lower `max_tokens`).
 */
export function budgetExceeded(owner: string, periodKey: string, remainingMicroUsd: number, limitMicroUsd: number, neededMicroUsd: number): GatewayError {
  return new GatewayError({
    verdict: 'final',
    status: 429,
    type: 'insufficient_quota',
    code: 'budget_exceeded',
    message:
      `Budget exceeded for ${owner} (period ${periodKey}): remaining budget ${formatMicroUsd(remainingMicroUsd)} of ` +
      `${formatMicroUsd(limitMicroUsd)}, and this request may cost up to ${formatMicroUsd(neededMicroUsd)}.`,
    errorClass: 'client',
    // Retrying cannot help until the period rolls over; stop SDKs from retrying automatically.
    clientShouldRetry: false,
  });
}

/** 429 `rate_limit_exceeded` with `retry-after` at the start of the next UTC minute. */
export function rateLimitExceeded(keyId: string, limit: 'rpm' | 'tpm', value: number, retryAfterMs: number): GatewayError {
  const what = limit === 'rpm' ? `${value} requests per minute` : `${value} tokens per minute`;
  return new GatewayError({
    verdict: 'final',
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: `Rate limit exceeded for key ${keyId}: ${what}. Retry after ${Math.ceil(retryAfterMs / 1000)} s.`,
    retryAfterMs,
    errorClass: 'client',
  });
}
