import { z } from 'zod';
import { NEVER_FORWARDED_HEADERS } from './never-forwarded';

/**
 * Config fields that bound what a client can send, what reaches providers and what is logged.
 * Kept apart from `schema.ts` (which composes them) so the limits and their defaults read as one
 * list; every limit answers a 400 that names the parameter (431 for headers).
 */

const count = (max: number) => z.number().int().positive().max(max);

/** Request limits beside `maxBodyBytes` under `limits`. Defaults follow the OpenAI API where it has one. */
export const requestLimitFields = {
  maxHeaderBytes: count(1024 * 1024)
    .default(16 * 1024)
    .describe('Largest accepted request header section in bytes (431 above). The local server also sets node:http maxHeaderSize to it; API Gateway has its own 10 KB limit.'),
  maxMessages: count(1_000_000).default(2048).describe('Most `messages` in one chat request.'),
  maxContentParts: count(1_000_000).default(512).describe('Most content parts in one message.'),
  maxTools: count(100_000).default(128).describe('Most `tools` in one chat request.'),
  maxN: count(1000).default(16).describe('Largest `n` (choices per request); the budget reservation scales with it.'),
  maxStringChars: count(1 << 30)
    .default(4 * 1024 * 1024)
    .describe('Longest string anywhere in a request body (characters).'),
  maxJsonDepth: count(1000).default(64).describe('Deepest nesting of objects and arrays in a request body.'),
  maxEmbeddingInputs: count(1_000_000).default(2048).describe('Most inputs in one embeddings request.'),
};

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
  .refine((name) => !NEVER_FORWARDED_HEADERS.includes(name.toLowerCase()), 'credential and framing headers cannot be forwarded');

/** `forwardHeaders` of a provider: the only client headers that may reach it. */
export const forwardHeadersSchema = z
  .array(headerName)
  .max(64)
  .describe('Client request headers forwarded to this provider (e.g. ["x-trace-id"]). Nothing else from the client reaches it; credential headers are refused.');

/** `logging`: prompts and completions stay out of logs unless `requests` is on. */
export const loggingSchema = z
  .strictObject({
    requests: z
      .boolean()
      .default(false)
      .describe('Log each request body and non-streamed completion (credentials redacted). Off by default: prompts and completions are not logged.'),
  })
  .prefault({});
