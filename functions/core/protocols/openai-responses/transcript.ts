import { isObject, text, type Json, type StreamAssembler } from '../../audit/stream-transcript';

/**
 * Responses API: the terminal event's `response` when it came; otherwise (a cut stream) the
 * latest snapshot with the output items rebuilt from their added / delta / done events.
 */
export class ResponsesAssembler implements StreamAssembler {
  private response: Json = { object: 'response' };
  private readonly items: Json[] = [];
  private terminal = false;
  private error: unknown;

  add(event: Json): void {
    const type = text(event.type);
    if (type === 'error') {
      this.error = { code: event.code ?? null, message: event.message ?? null };
      return;
    }
    if (isObject(event.response)) {
      this.response = event.response;
      this.terminal ||= type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed';
      return;
    }
    const outputIndex = typeof event.output_index === 'number' ? event.output_index : -1;
    if (outputIndex < 0) return;
    if ((type === 'response.output_item.added' || type === 'response.output_item.done') && isObject(event.item)) {
      this.items[outputIndex] = structuredClone(event.item);
      return;
    }
    const item = this.items[outputIndex];
    if (item) addItemDelta(item, type, event);
  }

  result(): Json {
    const output = Array.isArray(this.response.output) && (this.terminal || this.response.output.length > 0) ? this.response.output : this.items.filter(Boolean);
    return { ...this.response, output, ...(this.error ? { error: this.error } : {}) };
  }
}

/** Applies one delta event of a Responses output item to the item being rebuilt. */
function addItemDelta(item: Json, type: string, event: Json): void {
  const part = (list: string, index: unknown): Json | undefined => {
    if (typeof index !== 'number') return undefined;
    const parts = (item[list] = Array.isArray(item[list]) ? item[list] : []) as Json[];
    return (parts[index] ??= {});
  };
  switch (type) {
    case 'response.content_part.added':
      if (typeof event.content_index === 'number' && isObject(event.part)) ((item.content = Array.isArray(item.content) ? item.content : []) as Json[])[event.content_index] = { ...event.part };
      break;
    case 'response.output_text.delta':
    case 'response.refusal.delta': {
      const target = part('content', event.content_index);
      const field = type === 'response.output_text.delta' ? 'text' : 'refusal';
      if (target) target[field] = text(target[field]) + text(event.delta);
      break;
    }
    case 'response.function_call_arguments.delta':
    case 'response.custom_tool_call_input.delta': {
      const field = type === 'response.function_call_arguments.delta' ? 'arguments' : 'input';
      item[field] = text(item[field]) + text(event.delta);
      break;
    }
    case 'response.reasoning_summary_text.delta': {
      const target = part('summary', event.summary_index);
      if (target) Object.assign(target, { type: 'summary_text', text: text(target.text) + text(event.delta) });
      break;
    }
  }
}
