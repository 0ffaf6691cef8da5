import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/** Vendored shared test material: recorded provider fixtures and the OpenAI schemas. */
export const SHARED_DIR = join(__dirname, '..', 'shared');

const bundle = JSON.parse(readFileSync(join(SHARED_DIR, 'conformance', 'openai-schemas.json'), 'utf8')) as { $id: string };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
for (const name of ['unixtime', 'float', 'int64']) ajv.addFormat(name, true);
ajv.addSchema(bundle);

const cache = new Map<string, ValidateFunction>();

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
  let validate = cache.get(name);
  if (!validate) {
    validate = ajv.getSchema(`${bundle.$id}#/$defs/${name}`);
    if (!validate) throw new Error(`Unknown schema ${name}`);
    cache.set(name, validate);
  }
  if (!validate(value)) {
    throw new Error(`${name} schema violation: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
  }
}
