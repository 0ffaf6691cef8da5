import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/** Vendored shared test material: recorded provider fixtures and the OpenAI schemas. */
export const SHARED_DIR = join(__dirname, '..', 'shared');

function readBundle(path: string): { $id: string } {
  return JSON.parse(readFileSync(path, 'utf8')) as { $id: string };
}

const bundle = readBundle(join(SHARED_DIR, 'conformance', 'openai-schemas.json'));
/** The Open Responses specification's schemas of what a server returns (see its README). */
const openResponsesBundle = readBundle(join(__dirname, '..', 'conformance', 'open-responses', 'open-responses-schemas.json'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
for (const name of ['unixtime', 'float', 'int64']) ajv.addFormat(name, true);
ajv.addSchema(bundle);
ajv.addSchema(openResponsesBundle);

const cache = new Map<string, ValidateFunction>();

function validator(bundleId: string, name: string): ValidateFunction {
  const ref = `${bundleId}#/$defs/${name}`;
  let validate = cache.get(ref);
  if (!validate) {
    validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`Unknown schema ${name}`);
    cache.set(ref, validate);
  }
  return validate;
}

function assertValid(validate: ValidateFunction, name: string, value: unknown): void {
  if (!validate(value)) {
    throw new Error(`${name} schema violation: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
  }
}

/** Names of the OpenAI schemas tests validate against. */
export type OpenAiSchemaName =
  | 'CreateChatCompletionResponse'
  | 'CreateChatCompletionStreamResponse'
  | 'CreateEmbeddingResponse'
  | 'ListModelsResponse'
  | 'Model'
  | 'ErrorResponse'
  | 'CreateChatCompletionRequest';

/** Throws a readable error when `value` does not validate against the named OpenAI schema. */
export function assertOpenAiSchema(name: OpenAiSchemaName, value: unknown): void {
  assertValid(validator(bundle.$id, name), name, value);
}

/** Names of the Open Responses schemas tests validate against. */
export type OpenResponsesSchemaName = 'ResponseResource' | 'StreamingEvent';

/**
 * Throws a readable error when `value` does not validate against the named Open Responses schema.
 * A streamed event is checked against `StreamingEvent` and, because a oneOf failure says little,
 * also against the schema of its own type, whose errors name the offending field.
 */
export function assertOpenResponsesSchema(name: OpenResponsesSchemaName, value: unknown): void {
  const validate = validator(openResponsesBundle.$id, name);
  if (validate(value)) return;
  const type = (value as { type?: unknown }).type;
  const own = name === 'StreamingEvent' && typeof type === 'string' ? STREAMING_EVENT_SCHEMAS[type] : undefined;
  assertValid(own ? validator(openResponsesBundle.$id, own) : validate, own ?? name, value);
  assertValid(validate, name, value);
}

/** The schema of each streamed event type in the Open Responses bundle. */
const STREAMING_EVENT_SCHEMAS: Record<string, string> = Object.fromEntries(
  Object.entries((openResponsesBundle as unknown as { $defs: Record<string, { properties?: { type?: { enum?: string[] } } }> }).$defs)
    .filter(([schemaName]) => schemaName.endsWith('StreamingEvent'))
    .map(([schemaName, schema]) => [schema.properties?.type?.enum?.[0] ?? schemaName, schemaName]),
);
