import * as z from 'zod/mini';

/**
 * zod schema of a `POST /v1/messages` body (and of `count_tokens`, which has no `max_tokens`).
 * Objects are loose: fields the gateway does not model pass through to Anthropic targets.
 */

const nonEmpty = z.string().check(z.minLength(1));
const block = z.looseObject({ type: nonEmpty });
const systemBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
// A `system` turn inside `messages` (Claude Code sends them, with the mid-conversation-system
// beta) carries text only, like the top-level `system`.
const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(block)]) }),
  z.looseObject({ role: z.literal('system'), content: z.union([z.string(), z.array(systemBlock)]) }),
]);
const tool = z.looseObject({ name: z.string().check(z.regex(/^[a-zA-Z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, _ or -')), type: z.optional(z.string()), input_schema: z.optional(z.record(z.string(), z.unknown())) });
const toolChoice = z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.optional(nonEmpty), disable_parallel_tool_use: z.optional(z.boolean()) });
const thinking = z.looseObject({ type: nonEmpty, budget_tokens: z.optional(z.int().check(z.positive())) });

const common = {
  model: z.string().check(z.minLength(1), z.maxLength(256)),
  messages: z.array(message).check(z.minLength(1)),
  system: z.optional(z.union([z.string(), z.array(systemBlock)])),
  tools: z.optional(z.array(tool)),
  tool_choice: z.optional(toolChoice),
  thinking: z.optional(thinking),
};

/** Schema of a `POST /v1/messages` body. */
export const messagesRequestSchema = z.looseObject({
  ...common,
  max_tokens: z.int().check(z.positive()),
  stop_sequences: z.optional(z.array(z.string())),
  temperature: z.optional(z.number().check(z.gte(0), z.lte(1))),
  top_p: z.optional(z.number().check(z.gte(0), z.lte(1))),
  top_k: z.optional(z.int().check(z.positive())),
  metadata: z.optional(z.looseObject({ user_id: z.optional(z.nullable(z.string().check(z.maxLength(256)))) })),
  stream: z.optional(z.boolean()),
});

/** Schema of a `POST /v1/messages/count_tokens` body. */
export const countTokensRequestSchema = z.looseObject(common);
