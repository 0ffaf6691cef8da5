import { isObject, parseObject, text, type Json, type StreamAssembler } from '../../audit/stream-transcript';

/** Anthropic Messages: the event sequence into one `message`, tool inputs parsed. */
export class MessagesAssembler implements StreamAssembler {
  private message: Json = { type: 'message', role: 'assistant', content: [] };
  private readonly blocks: Json[] = [];
  private readonly partialJson = new Map<number, string>();
  private error: unknown;

  add(event: Json): void {
    const index = typeof event.index === 'number' ? event.index : -1;
    switch (event.type) {
      case 'message_start':
        if (isObject(event.message)) this.message = { ...event.message };
        break;
      case 'content_block_start':
        if (isObject(event.content_block) && index >= 0) this.blocks[index] = { ...event.content_block };
        break;
      case 'content_block_delta':
        if (isObject(event.delta) && this.blocks[index]) this.addDelta(index, this.blocks[index], event.delta);
        break;
      case 'content_block_stop':
        this.finishBlock(index);
        break;
      case 'message_delta':
        if (isObject(event.delta)) Object.assign(this.message, event.delta);
        if (isObject(event.usage)) this.message.usage = { ...(isObject(this.message.usage) ? this.message.usage : {}), ...event.usage };
        break;
      case 'error':
        this.error = event.error;
        break;
    }
  }

  private addDelta(index: number, block: Json, delta: Json): void {
    switch (delta.type) {
      case 'text_delta':
        block.text = text(block.text) + text(delta.text);
        break;
      case 'thinking_delta':
        block.thinking = text(block.thinking) + text(delta.thinking);
        break;
      case 'signature_delta':
        block.signature = delta.signature;
        break;
      case 'input_json_delta':
        this.partialJson.set(index, (this.partialJson.get(index) ?? '') + text(delta.partial_json));
        break;
      case 'citations_delta':
        block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
        break;
    }
  }

  private finishBlock(index: number): void {
    const json = this.partialJson.get(index);
    const block = this.blocks[index];
    if (json === undefined || !block) return;
    this.partialJson.delete(index);
    block.input = json === '' ? {} : (parseObject(json) ?? json);
  }

  result(): Json {
    for (const index of [...this.partialJson.keys()]) this.finishBlock(index);
    return { ...this.message, content: this.blocks.filter(Boolean), ...(this.error ? { error: this.error } : {}) };
  }
}
