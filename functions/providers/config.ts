import { z } from 'zod';
import { createConfigParser } from '../core/config/load-config';
import { configSchemaWith } from '../core/config/schema';
import { anthropicSettingsSchema } from './anthropic/settings';
import { bedrockSettingsSchema } from './bedrock/settings';
import { geminiSettingsSchema } from './gemini/settings';
import { mockSettingsSchema } from './mock/settings';
import { openaiSettingsSchema } from './openai/settings';

/**
 * `switchyard.config.json` for the built-in providers: the gateway's schema
 * (`functions/core/config/schema.ts`) with each provider type's own settings schema. Used where a
 * config file is read (CLI, `cdk synth`); the Lambda gets the validated config compiled in, so
 * none of this is in its bundle.
 */
const providerSettingsSchemas = [openaiSettingsSchema, anthropicSettingsSchema, geminiSettingsSchema, bedrockSettingsSchema, mockSettingsSchema] as const;

/** The schema of the whole config file (also the source of `switchyard.config.schema.json`). */
export const configSchema = configSchemaWith(z.discriminatedUnion('type', providerSettingsSchemas));

/** Reads and validates a config with the built-in providers; errors name the offending field. */
export const { parseConfig, parseConfigText } = createConfigParser(
  configSchema,
  providerSettingsSchemas.map((schema) => schema.shape.type.value),
);
