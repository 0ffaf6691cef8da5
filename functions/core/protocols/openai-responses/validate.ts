import { rejectClientControlledFields } from '../openai-chat/client-controlled';
import { checkResponsesLimits, type RequestLimits } from '../openai-chat/request-limits';
import { toInvalidRequest } from '../openai-chat/validate';
import { responsesRequestSchema } from './request-schema';
import type { ResponsesRequest } from './types';

/**
 * Validates a Responses body against the schema and the configured count limits (input items,
 * content parts, tools), and refuses fields that would let the client steer the upstream.
 * Returns the same object, typed.
 */
export function validateResponsesRequest(body: Record<string, unknown>, limits: RequestLimits): ResponsesRequest {
  rejectClientControlledFields(body);
  checkResponsesLimits(body, limits);
  const result = responsesRequestSchema.safeParse(body);
  if (!result.success) throw toInvalidRequest(result.error, body);
  return body as ResponsesRequest;
}
