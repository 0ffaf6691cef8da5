import { z } from 'zod';
import { commonProviderFields } from '../../core/config/provider-fields';

const mockToolCall = z.strictObject({ name: z.string().min(1), arguments: z.string() });

/** Settings of a `mock` provider: deterministic offline replies, pacing and injected failures. */
export const mockSettingsSchema = z.strictObject({
  type: z.literal('mock'),
  ...commonProviderFields,
  text: z.string().optional().describe('Reply text (default: a short sentence echoing the prompt size).'),
  chunks: z.number().int().min(1).max(10000).optional().describe('Number of content chunks when streaming.'),
  delayMs: z.number().int().min(0).max(600000).optional().describe('Delay before each streamed chunk.'),
  toolCalls: z.array(mockToolCall).optional().describe('Answer with these tool calls instead of text.'),
  error: z
    .strictObject({
      status: z.number().int().min(400).max(599),
      message: z.string().optional(),
      afterChunks: z.number().int().min(0).optional().describe('Fail mid-stream after this many chunks.'),
    })
    .optional()
    .describe('Fail every call with this upstream status.'),
  embeddingDimensions: z.number().int().min(1).max(8192).optional(),
});

/** Validated `mock` provider settings. */
export type MockSettings = z.output<typeof mockSettingsSchema>;
