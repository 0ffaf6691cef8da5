import { rejectClientControlledFields } from '../openai-chat/client-controlled';
import { checkChatLimits, type RequestLimits } from '../openai-chat/request-limits';
import { toInvalidRequest } from '../openai-chat/validate';
import { countTokensRequestSchema, messagesRequestSchema } from './request-schema';
import type { MessagesRequest } from './types';

/**
 * Validates a Messages body against the schema and the configured count limits (messages,
 * content blocks, tools), and refuses fields that would let the client steer the upstream.
 * Returns the same object, typed.
 */
export function validateMessagesRequest(body: Record<string, unknown>, limits: RequestLimits): MessagesRequest {
  rejectClientControlledFields(body);
  checkChatLimits(body, limits);
  const result = messagesRequestSchema.safeParse(body);
  if (!result.success) throw toInvalidRequest(result.error, body);
  return body as MessagesRequest;
}

/** Validates a `count_tokens` body (a Messages body without `max_tokens`). */
export function validateCountTokensRequest(body: Record<string, unknown>, limits: RequestLimits): Pick<MessagesRequest, 'model' | 'messages'> {
  rejectClientControlledFields(body);
  checkChatLimits(body, limits);
  const result = countTokensRequestSchema.safeParse(body);
  if (!result.success) throw toInvalidRequest(result.error, body);
  return body as Pick<MessagesRequest, 'model' | 'messages'>;
}
