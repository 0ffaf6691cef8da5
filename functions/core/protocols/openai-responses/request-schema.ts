import * as z from 'zod/mini';

/**
 * zod schema of a `POST /v1/responses` body. Objects are loose: fields the gateway does not model
 * are kept for the decoder to judge.
 */

const nonEmpty = z.string().check(z.minLength(1));
const contentPart = z.looseObject({ type: nonEmpty });
const item = z.looseObject({
  type: z.optional(nonEmpty),
  role: z.optional(z.enum(['user', 'assistant', 'system', 'developer'])),
  content: z.optional(z.union([z.string(), z.array(contentPart)])),
});
const tool = z.looseObject({ type: nonEmpty, name: z.optional(z.string().check(z.regex(/^[a-zA-Z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, _ or -'))) });
const toolChoice = z.union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: nonEmpty, name: z.optional(nonEmpty) })]);
const format = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({ type: z.literal('json_schema'), name: nonEmpty, schema: z.optional(z.record(z.string(), z.unknown())), strict: z.optional(z.nullable(z.boolean())) }),
]);

/** Schema of a `POST /v1/responses` body. */
export const responsesRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1), z.maxLength(256)),
  input: z.optional(z.union([z.string(), z.array(item)])),
  instructions: z.optional(z.nullable(z.string())),
  tools: z.optional(z.array(tool)),
  tool_choice: z.optional(toolChoice),
  parallel_tool_calls: z.optional(z.nullable(z.boolean())),
  text: z.optional(z.looseObject({ format: z.optional(format) })),
  reasoning: z.optional(z.nullable(z.looseObject({ effort: z.optional(z.nullable(z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']))), summary: z.optional(z.nullable(z.string())) }))),
  max_output_tokens: z.optional(z.nullable(z.int().check(z.positive()))),
  temperature: z.optional(z.nullable(z.number().check(z.gte(0), z.lte(2)))),
  top_p: z.optional(z.nullable(z.number().check(z.gte(0), z.lte(1)))),
  user: z.optional(z.string()),
  safety_identifier: z.optional(z.string()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.string()))),
  include: z.optional(z.nullable(z.array(z.string()))),
  store: z.optional(z.nullable(z.boolean())),
  previous_response_id: z.optional(z.nullable(z.string())),
  stream: z.optional(z.nullable(z.boolean())),
});
