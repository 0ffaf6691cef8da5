import { invalidRequest } from '../../core/errors';
import type { GeminiSchema } from './wire';

/**
 * Fields of Gemini's `Schema` object (an OpenAPI 3.0 subset). Anything else a JSON Schema may
 * carry (`additionalProperties`, `$schema`, `strict`, `$id`, `examples`, `not`, …) is rejected by
 * the API with a 400, so it is dropped rather than forwarded.
 */
const KEPT = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering',
  'default', 'items', 'minimum', 'maximum',
]);

/** String formats Gemini accepts; others (`email`, `uri`, …) are answered with a 400 upstream. */
const STRING_FORMATS = new Set(['enum', 'date-time']);
const NUMBER_FORMATS = new Set(['float', 'double', 'int32', 'int64']);

type Definitions = Record<string, unknown>;

/**
 * Converts a client's JSON Schema (tool parameters or `response_format.json_schema.schema`) into
 * the Schema subset Gemini accepts: local `$ref`s into `$defs`/`definitions` are inlined, `oneOf`
 * becomes `anyOf`, `const` becomes a one-value `enum`, `type: [T, "null"]` becomes `nullable`, and
 * unsupported keywords are dropped. A recursive `$ref` cannot be inlined and is a 400 naming `param`.
 *
 * @example
 * toGeminiSchema({ type: 'object', additionalProperties: false, properties: { a: { type: ['string', 'null'] } } }, 'tools')
 * // → { type: 'object', properties: { a: { type: 'string', nullable: true } } }
 */
export function toGeminiSchema(schema: Record<string, unknown>, param: string): GeminiSchema {
  const definitions = { ...asRecord(schema.definitions), ...asRecord(schema.$defs) };
  return convert(schema, definitions, param, []);
}

function convert(node: Record<string, unknown>, definitions: Definitions, param: string, refStack: string[]): GeminiSchema {
  const ref = node.$ref;
  if (typeof ref === 'string') {
    const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)?.[1];
    const target = name === undefined ? undefined : asRecord(definitions[name]);
    if (name === undefined || target === undefined) throw invalidRequest(`Gemini: unsupported schema reference '${ref}'.`, param);
    if (refStack.includes(name)) throw invalidRequest(`Gemini does not support recursive schemas ('${ref}').`, param);
    // Sibling keywords (e.g. a description next to $ref) refine the referenced schema.
    const { $ref: _ref, ...siblings } = node;
    return convert({ ...target, ...siblings }, definitions, param, [...refStack, name]);
  }
  const out: GeminiSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'oneOf' && Array.isArray(value)) out.anyOf = convertList(value, definitions, param, refStack);
    else if (key === 'const') out.enum = [String(value)];
    else if (KEPT.has(key)) out[key] = value;
  }
  applyType(out);
  if (out.properties !== undefined) {
    const properties: Record<string, GeminiSchema> = {};
    for (const [name, child] of Object.entries(asRecord(out.properties) ?? {})) {
      properties[name] = convert(asRecord(child) ?? {}, definitions, param, refStack);
    }
    out.properties = properties;
  }
  if (out.items !== undefined) out.items = convert(asRecord(out.items) ?? {}, definitions, param, refStack);
  if (Array.isArray(out.anyOf)) out.anyOf = convertList(out.anyOf, definitions, param, refStack);
  if (Array.isArray(out.enum)) out.enum = out.enum.map(String);
  if (typeof out.format === 'string' && !allowedFormat(out.type, out.format)) delete out.format;
  return out;
}

function convertList(list: unknown[], definitions: Definitions, param: string, refStack: string[]): GeminiSchema[] {
  return list.map((item) => convert(asRecord(item) ?? {}, definitions, param, refStack));
}

/** `type: ["string", "null"]` → `type: "string", nullable: true`; a bare `"null"` type is dropped. */
function applyType(out: GeminiSchema): void {
  if (!Array.isArray(out.type)) {
    if (out.type === 'null') {
      delete out.type;
      out.nullable = true;
    }
    return;
  }
  const types = out.type.filter((t): t is string => typeof t === 'string');
  const nonNull = types.filter((t) => t !== 'null');
  if (nonNull.length < types.length) out.nullable = true;
  if (nonNull.length === 1) out.type = nonNull[0];
  else {
    delete out.type;
    if (nonNull.length > 1) out.anyOf = nonNull.map((type) => ({ type }));
  }
}

function allowedFormat(type: unknown, format: string): boolean {
  if (type === 'string') return STRING_FORMATS.has(format);
  if (type === 'number' || type === 'integer') return NUMBER_FORMATS.has(format);
  return false;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
