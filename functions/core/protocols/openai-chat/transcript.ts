import { isObject, text, type Json, type StreamAssembler } from '../../audit/stream-transcript';

/** Chat Completions: `chat.completion.chunk`s into one `chat.completion`. */
export class ChatAssembler implements StreamAssembler {
  private head: Json = {};
  private readonly choices = new Map<number, { message: Json; toolCalls: Map<number, Json>; finishReason: unknown }>();
  private usage: unknown;
  private error: unknown;

  add(chunk: Json): void {
    if (isObject(chunk.error)) {
      this.error = chunk.error;
      return;
    }
    for (const field of ['id', 'created', 'model', 'system_fingerprint', 'service_tier'] as const) if (chunk[field] !== undefined) this.head[field] = chunk[field];
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isObject(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      let state = this.choices.get(index);
      if (!state) this.choices.set(index, (state = { message: { role: 'assistant', content: null }, toolCalls: new Map(), finishReason: null }));
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
      const delta = isObject(choice.delta) ? choice.delta : {};
      for (const [field, value] of Object.entries(delta)) {
        if (field === 'tool_calls' && Array.isArray(value)) this.addToolCalls(state.toolCalls, value);
        else if (typeof value === 'string' && field !== 'role') state.message[field] = text(state.message[field]) + value;
        else if (value !== null && value !== undefined) state.message[field] = value;
      }
    }
  }

  private addToolCalls(calls: Map<number, Json>, deltas: unknown[]): void {
    for (const delta of deltas) {
      if (!isObject(delta)) continue;
      const index = typeof delta.index === 'number' ? delta.index : calls.size;
      const call = calls.get(index) ?? { id: null, type: 'function', function: { name: '', arguments: '' } };
      calls.set(index, call);
      if (delta.id) call.id = delta.id;
      if (delta.type) call.type = delta.type;
      const fn = call.function as Json;
      if (isObject(delta.function)) {
        fn.name = text(fn.name) + text(delta.function.name);
        fn.arguments = text(fn.arguments) + text(delta.function.arguments);
      }
    }
  }

  result(): Json {
    const choices = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, state]) => {
        const message = state.toolCalls.size > 0 ? { ...state.message, tool_calls: [...state.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call) } : state.message;
        return { index, message, finish_reason: state.finishReason };
      });
    return { ...this.head, object: 'chat.completion', choices, usage: this.usage ?? null, ...(this.error ? { error: this.error } : {}) };
  }
}
