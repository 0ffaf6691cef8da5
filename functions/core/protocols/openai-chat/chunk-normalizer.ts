import type { ChatCompletionChunk, ToolCallDelta, Usage } from './types';

/** Identity the normaliser gives chunks whose provider left `id`, `created` or `model` empty. */
export interface ChunkDefaults {
  id: string;
  created: number;
  model: string;
}

/**
 * Makes provider chunks valid OpenAI chunks (DESIGN §2): fills an empty `id`/`created`/`model`
 * (Azure's first chunk has none), adds `finish_reason: null` where a vendor omits it, removes a
 * null `system_fingerprint`, keeps `role` on the first delta only, numbers tool calls of each choice
 * from 0 in order of appearance (some OpenAI-compatible servers leak a content-block index), and
 * takes `usage` out of every
 * chunk so the gateway can send it once, last, in a `choices: []` chunk.
 *
 * Returns the usage the chunk carried (or undefined) and whether the chunk still has anything for
 * the client.
 */
export class ChunkNormalizer {
  private roleSent = false;
  /** Per choice: upstream tool-call index → client index. Created on the first tool call. */
  private toolIndexes: Map<number, Map<number, number>> | undefined;

  constructor(private readonly defaults: ChunkDefaults) {}

  /** Normalises `chunk` in place. */
  normalize(chunk: ChatCompletionChunk): { usage: Usage | undefined; forward: boolean } {
    const usage = chunk.usage ?? undefined;
    if ('usage' in chunk) delete chunk.usage;
    if (!chunk.id) chunk.id = this.defaults.id;
    if (!chunk.created) chunk.created = this.defaults.created;
    if (!chunk.model) chunk.model = this.defaults.model;
    chunk.object = 'chat.completion.chunk';
    if (chunk.system_fingerprint === null) delete chunk.system_fingerprint;
    const choices = chunk.choices ?? [];
    chunk.choices = choices;
    for (const choice of choices) {
      if (choice.finish_reason === undefined) choice.finish_reason = null;
      if (!choice.delta) choice.delta = {};
      if (choice.delta.role !== undefined) {
        if (this.roleSent) delete choice.delta.role;
        else this.roleSent = true;
      }
      if (choice.delta.tool_calls) this.renumberToolCalls(choice.index, choice.delta.tool_calls);
    }
    return { usage, forward: choices.length > 0 };
  }

  private renumberToolCalls(choiceIndex: number, calls: ToolCallDelta[]): void {
    this.toolIndexes ??= new Map();
    let indexes = this.toolIndexes.get(choiceIndex);
    if (!indexes) {
      indexes = new Map();
      this.toolIndexes.set(choiceIndex, indexes);
    }
    for (const call of calls) {
      let mapped = indexes.get(call.index);
      if (mapped === undefined) {
        mapped = indexes.size;
        indexes.set(call.index, mapped);
      }
      call.index = mapped;
    }
  }

  /** The closing usage chunk: same identity as the stream, `choices: []`. */
  usageChunk(usage: Usage, last: ChunkDefaults): ChatCompletionChunk {
    return { id: last.id, object: 'chat.completion.chunk', created: last.created, model: last.model, choices: [], usage };
  }
}
