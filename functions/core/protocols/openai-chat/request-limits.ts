import type { SwitchyardConfig } from '../../config/schema';
import { invalidRequest, type GatewayError } from '../../errors';

/** The `limits` section of the config. */
export type RequestLimits = SwitchyardConfig['limits'];

/**
 * Limits on the shape of a parsed JSON body, checked before schema validation so that no later
 * step (zod, translation, `JSON.stringify` upstream) meets a pathological value: nesting deeper
 * than `maxJsonDepth` (a deep body overflows the stack of every recursive JSON walker) and any
 * string longer than `maxStringChars`. Iterative, so it cannot overflow itself.
 */
export function checkJsonShape(body: unknown, limits: Pick<RequestLimits, 'maxJsonDepth' | 'maxStringChars'>): void {
  const stack: Node[] = [{ value: body, depth: 0, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const { value } = node;
    if (typeof value === 'string') {
      if (value.length > limits.maxStringChars) {
        throw tooLong(pathOf(node), `string too long. Expected a string with maximum length ${limits.maxStringChars}, but got a string with length ${value.length} instead`, 'string_above_max_length');
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (node.depth >= limits.maxJsonDepth) {
      throw tooLong(pathOf(node), `nested too deeply. Objects and arrays may be nested at most ${limits.maxJsonDepth} levels`, 'nesting_too_deep');
    }
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) stack.push({ value: value[index], depth: node.depth + 1, key: index, parent: node });
    } else {
      for (const key of Object.keys(value)) {
        if (key.length > limits.maxStringChars) throw tooLong(pathOf(node), 'an object key is too long', 'string_above_max_length');
        stack.push({ value: (value as Record<string, unknown>)[key], depth: node.depth + 1, key, parent: node });
      }
    }
  }
}

/** Count limits of a chat completions body: messages, content parts per message, tools and `n`. */
export function checkChatLimits(body: Record<string, unknown>, limits: RequestLimits): void {
  checkConversation(body, 'messages', limits);
  if (typeof body.n === 'number' && body.n > limits.maxN) {
    throw tooLong('n', `integer above maximum value. Expected a value <= ${limits.maxN}, but got ${body.n} instead`, 'integer_above_max_value');
  }
}

/**
 * Count limits of a Responses body: `input` items count as messages, their content parts as
 * content parts, and `tools` as tools.
 */
export function checkResponsesLimits(body: Record<string, unknown>, limits: RequestLimits): void {
  checkConversation(body, 'input', limits);
}

/** The conversation under `field` (its items and their content parts) and the tools, counted. */
function checkConversation(body: Record<string, unknown>, field: 'messages' | 'input', limits: RequestLimits): void {
  const items = body[field];
  if (Array.isArray(items)) {
    checkArray(field, items, limits.maxMessages);
    items.forEach((item: unknown, index) => {
      const content = (item as { content?: unknown } | null)?.content;
      if (Array.isArray(content)) checkArray(`${field}[${index}].content`, content, limits.maxContentParts);
    });
  }
  if (Array.isArray(body.tools)) checkArray('tools', body.tools, limits.maxTools);
}

/** Count limits of an embeddings body: the number of inputs. */
export function checkEmbeddingLimits(body: Record<string, unknown>, limits: RequestLimits): void {
  const input = body.input;
  // A flat array of numbers is one tokenised input; any other array is a list of inputs.
  if (Array.isArray(input) && typeof input[0] !== 'number') checkArray('input', input, limits.maxEmbeddingInputs);
}

interface Node {
  value: unknown;
  depth: number;
  key: string | number | undefined;
  parent: Node | undefined;
}

function checkArray(param: string, values: unknown[], max: number): void {
  if (values.length > max) {
    throw tooLong(param, `array too long. Expected an array with maximum length ${max}, but got an array with length ${values.length} instead`, 'array_above_max_length');
  }
}

/** The OpenAI wording: "Invalid 'messages': array too long. …" with the param named. */
function tooLong(param: string, detail: string, code: string): GatewayError {
  return invalidRequest(`Invalid '${param || 'body'}': ${detail}.`, param || null, code);
}

/** `messages[0].content` for a node, built only when an error names it. */
function pathOf(node: Node): string {
  const keys: Array<string | number> = [];
  for (let current: Node | undefined = node; current?.key !== undefined; current = current.parent) keys.unshift(current.key);
  let out = '';
  for (const key of keys) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out;
}
