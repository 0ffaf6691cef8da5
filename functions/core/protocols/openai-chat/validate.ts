import type { z } from 'zod';
import { invalidRequest, type GatewayError } from '../../errors';
import { rejectClientControlledFields } from './client-controlled';
import { checkChatLimits, checkEmbeddingLimits, type RequestLimits } from './request-limits';
import { chatCompletionRequestSchema, embeddingRequestSchema } from './request-schema';
import type { ChatCompletionRequest, EmbeddingRequest } from './types';

/** Renders a zod path as the OpenAI SDKs name params: `messages[0].content`. */
export function formatParamPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Turns the most specific zod issue into a 400 that names the offending field. */
export function toInvalidRequest(error: { issues: z.core.$ZodIssue[] }, body: unknown): GatewayError {
  const issue = pickIssue(error.issues);
  const param = formatParamPath(issue.path);
  if (issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined) {
    return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  return invalidRequest(`Invalid value for '${param || 'body'}': ${issue.message}.`, param || null, 'invalid_value');
}

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Prefers the deepest issue; union failures report their most specific branch. */
function pickIssue(issues: z.core.$ZodIssue[]): z.core.$ZodIssue {
  let best = issues[0] as z.core.$ZodIssue;
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const nested = issue.errors.flat().map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
      const candidate = pickIssue(nested);
      if (candidate.path.length > best.path.length || best === issue) best = candidate;
    } else if (issue.path.length > best.path.length) {
      best = issue;
    }
  }
  return best;
}

/** Parses a JSON request body, answering 400 for anything that is not a JSON object. */
export function parseJsonBody(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('We could not parse the JSON body of your request. Expected a JSON object.', null, 'invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  return value as Record<string, unknown>;
}

/**
 * Validates a chat completions body against the schema and the configured count limits (checked
 * first, so an oversized array is refused before it is walked); refuses fields that would let the
 * client steer the upstream. Returns the same object, typed.
 */
export function validateChatRequest(body: Record<string, unknown>, limits: RequestLimits): ChatCompletionRequest {
  rejectClientControlledFields(body);
  checkChatLimits(body, limits);
  const result = chatCompletionRequestSchema.safeParse(body);
  if (!result.success) throw toInvalidRequest(result.error, body);
  const request = body as ChatCompletionRequest;
  if (request.stream_options && !request.stream) {
    throw invalidRequest('stream_options is only allowed when stream is true.', 'stream_options');
  }
  return request;
}

/** Validates an embeddings body like {@link validateChatRequest}; returns the same object, typed. */
export function validateEmbeddingRequest(body: Record<string, unknown>, limits: RequestLimits): EmbeddingRequest {
  rejectClientControlledFields(body);
  checkEmbeddingLimits(body, limits);
  const result = embeddingRequestSchema.safeParse(body);
  if (!result.success) throw toInvalidRequest(result.error, body);
  return body as EmbeddingRequest;
}
