import * as z from 'zod/mini';
import { REASONING_EFFORTS } from '../../model/request';

/**
 * zod schemas of the client requests the gateway accepts. Objects are loose: fields the gateway
 * does not know pass through to OpenAI-compatible providers unchanged. Count limits (messages,
 * parts, tools, `n`, inputs) are configurable and checked before these schemas run
 * (`request-limits.ts`); identifiers keep fixed caps here.
 *
 * Written with `zod/mini` (the same validation and issue format as classic zod, as functions
 * instead of methods) because it keeps the Lambda bundle within its size budget: classic zod
 * alone is ~100 kB of the bundle, most of it never used on the request path.
 */

const nonEmpty = z.string().check(z.minLength(1));
const optional = <T extends z.ZodMiniType>(schema: T) => z.optional(schema);
const nullish = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: nonEmpty, detail: optional(z.enum(['auto', 'low', 'high'])) }),
});
const otherPart = z.looseObject({ type: nonEmpty }).check(
  z.refine((part) => part.type !== 'text' && part.type !== 'image_url', { message: 'malformed content part' }),
);
const userContentPart = z.union([textPart, imagePart, otherPart]);
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z.looseObject({
  id: nonEmpty,
  type: z.literal('function'),
  function: z.looseObject({ name: nonEmpty, arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: textContent, name: optional(z.string()) }),
  z.looseObject({ role: z.literal('developer'), content: textContent, name: optional(z.string()) }),
  z.looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(userContentPart)]), name: optional(z.string()) }),
  z.looseObject({
    role: z.literal('assistant'),
    content: optional(z.union([textContent, z.null()])),
    tool_calls: optional(z.array(toolCall).check(z.maxLength(1000))),
    refusal: nullish(z.string()),
    name: optional(z.string()),
  }),
  z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: nonEmpty }),
]);

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().check(z.regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')),
    description: optional(z.string()),
    parameters: optional(z.record(z.string(), z.unknown())),
    strict: nullish(z.boolean()),
  }),
});

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: nonEmpty }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: nonEmpty,
      description: optional(z.string()),
      schema: optional(z.record(z.string(), z.unknown())),
      strict: nullish(z.boolean()),
    }),
  }),
]);

const positiveInt = z.int().check(z.positive());
const identifier = z.string().check(z.minLength(1), z.maxLength(256));

/** Schema of a `POST /v1/chat/completions` body. */
export const chatCompletionRequestSchema = z.looseObject({
  model: identifier,
  messages: z.array(message).check(z.minLength(1)),
  stream: nullish(z.boolean()),
  stream_options: nullish(z.looseObject({ include_usage: optional(z.boolean()) })),
  tools: optional(z.array(tool)),
  tool_choice: optional(toolChoice),
  parallel_tool_calls: optional(z.boolean()),
  response_format: optional(responseFormat),
  n: nullish(z.int().check(z.gte(1))),
  max_tokens: nullish(positiveInt),
  max_completion_tokens: nullish(positiveInt),
  stop: nullish(z.union([z.string(), z.array(z.string()).check(z.maxLength(4))])),
  temperature: nullish(z.number().check(z.gte(0), z.lte(2))),
  top_p: nullish(z.number().check(z.gte(0), z.lte(1))),
  seed: nullish(z.int()),
  user: optional(z.string().check(z.maxLength(256))),
  metadata: nullish(z.record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(512)))),
  reasoning_effort: nullish(z.enum(REASONING_EFFORTS)),
});

/** Schema of a `POST /v1/embeddings` body. */
export const embeddingRequestSchema = z.looseObject({
  model: identifier,
  input: z.union([
    z.string(),
    z.array(z.string()).check(z.minLength(1)),
    z.array(z.int()).check(z.minLength(1)),
    z.array(z.array(z.int()).check(z.minLength(1))).check(z.minLength(1)),
  ]),
  encoding_format: optional(z.enum(['float', 'base64'])),
  dimensions: optional(positiveInt.check(z.lte(16384))),
  user: optional(z.string().check(z.maxLength(256))),
});
