import type { AssistantPart, CanonicalRequest, Message, Tool } from '../model/request';
import type { CanonicalCompletion, CanonicalStreamEvent } from '../model/response';

/**
 * Free-form (`custom`) tools — Codex's `apply_patch`, whose input is raw text, not JSON — for
 * targets that only have function tools (DESIGN §1): each becomes a function tool taking one
 * string argument, `input`, and the model's calls of it come back as custom tool calls carrying
 * that string. Never dropped: a target that cannot take even function tools refuses them.
 */

/** The argument a lowered custom tool takes. */
const INPUT = 'input';

/** A request whose custom tools are function tools, and the names of the tools lowered. */
export interface LoweredRequest {
  request: CanonicalRequest;
  customTools: ReadonlySet<string>;
}

/** Lowers the request's custom tools (and the custom tool calls of its history) to function tools. */
export function lowerCustomTools(request: CanonicalRequest): LoweredRequest {
  const customTools = new Set(request.tools.filter((tool) => tool.type === 'custom').map((tool) => tool.name));
  if (customTools.size === 0 && !request.messages.some(hasCustomCall)) return { request, customTools };
  return {
    request: { ...request, tools: request.tools.map(asFunctionTool), messages: request.messages.map(lowerCalls) },
    customTools,
  };
}

function asFunctionTool(tool: Tool): Tool {
  if (tool.type !== 'custom') return tool;
  const grammar = tool.format?.type === 'grammar' ? ` It must follow this ${String(tool.format.syntax ?? '')} grammar:\n${String(tool.format.definition ?? '')}` : '';
  const fn: Tool = {
    type: 'function',
    name: tool.name,
    parameters: { type: 'object', properties: { [INPUT]: { type: 'string', description: `The tool's whole input, as raw text.${grammar}` } }, required: [INPUT], additionalProperties: false },
  };
  if (tool.description) fn.description = tool.description;
  return fn;
}

function hasCustomCall(message: Message): boolean {
  return message.role === 'assistant' && message.content.some((part) => part.type === 'tool_call' && part.kind === 'custom');
}

function lowerCalls(message: Message): Message {
  if (!hasCustomCall(message) || message.role !== 'assistant') return message;
  return {
    ...message,
    content: message.content.map((part): AssistantPart => (part.type === 'tool_call' && part.kind === 'custom' ? { ...part, kind: 'function', arguments: JSON.stringify({ [INPUT]: part.arguments }) } : part)),
  };
}

/** The raw input in a lowered call's arguments (`{"input": "…"}`), or the arguments as they are. */
function inputOf(args: string): string {
  try {
    const parsed = JSON.parse(args) as Record<string, unknown>;
    return typeof parsed[INPUT] === 'string' ? parsed[INPUT] : args;
  } catch {
    return args;
  }
}

/** A completion's calls of lowered tools as the custom tool calls they are. */
export function raiseCustomToolCalls(completion: CanonicalCompletion, customTools: ReadonlySet<string>): CanonicalCompletion {
  const raise = (content: AssistantPart[]): AssistantPart[] =>
    content.map((part) => (part.type === 'tool_call' && customTools.has(part.name) ? { ...part, kind: 'custom', arguments: inputOf(part.arguments) } : part));
  const raised: CanonicalCompletion = { ...completion, content: raise(completion.content) };
  if (completion.alternatives) raised.alternatives = completion.alternatives.map((alternative) => ({ ...alternative, content: raise(alternative.content) }));
  return raised;
}

/**
 * A stream's calls of lowered tools as custom tool calls: the call starts as it arrives; its
 * JSON arguments are held and, when the call ends (another call starts, the answer finishes or
 * the stream ends), sent as one delta carrying the raw input.
 */
export async function* raiseCustomToolStream(events: AsyncIterable<CanonicalStreamEvent>, customTools: ReadonlySet<string>): AsyncGenerator<CanonicalStreamEvent> {
  let held: { index: number; choice: number | undefined; args: string } | undefined;
  const release = function* (): Generator<CanonicalStreamEvent> {
    if (!held) return;
    const event: CanonicalStreamEvent = { type: 'tool_call_delta', index: held.index, arguments: inputOf(held.args) };
    if (held.choice !== undefined) event.choice = held.choice;
    held = undefined;
    yield event;
  };
  for await (const event of events) {
    if (event.type === 'tool_call_delta' && held?.index === event.index && held.choice === event.choice) {
      held.args += event.arguments;
      continue;
    }
    if (event.type === 'tool_call_start' || event.type === 'finish') yield* release();
    if (event.type === 'tool_call_start' && customTools.has(event.name)) {
      held = { index: event.index, choice: event.choice, args: '' };
      yield { ...event, kind: 'custom' };
      continue;
    }
    yield event;
  }
  yield* release();
}
