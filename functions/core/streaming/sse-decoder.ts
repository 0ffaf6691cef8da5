/** One Server-Sent Event as decoded from a byte stream. */
export interface SseEvent {
  /** The `event:` field, when present. */
  event?: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

/**
 * Incremental SSE decoder per the WHATWG EventSource parsing rules: accepts LF, CR and CRLF line
 * endings, multi-line data, comments, and input split at any byte (including inside a multi-byte
 * UTF-8 character). Comment lines and events without data are skipped.
 *
 * @example
 * const decoder = new SseDecoder();
 * for (const event of decoder.push(bytes)) handle(event);
 * for (const event of decoder.end()) handle(event);
 */
export class SseDecoder {
  private readonly text = new TextDecoder();
  /** The pieces of a line not yet ended, joined only when its end arrives (no rescans). */
  private partialLine: string[] = [];
  private dataLines: string[] = [];
  private eventName: string | undefined;
  private pendingCr = false;

  /** Decodes a piece of the byte stream and returns the events it completed. */
  push(bytes: Uint8Array): SseEvent[] {
    return this.pushText(this.text.decode(bytes, { stream: true }));
  }

  /** Decodes already-decoded text. Each character is scanned once, however the input is split. */
  pushText(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    if (this.pendingCr) {
      // A CR ended the previous piece; a leading LF here belongs to it.
      if (text.charCodeAt(0) === 10) start = 1;
      if (text.length > 0) this.pendingCr = false;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.processLine(this.takeLine(text.slice(start, i)), events);
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    if (start < text.length) this.partialLine.push(text.slice(start));
    return events;
  }

  /** Flushes the decoder at end of stream; a final event without a blank line is still delivered. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    const rest = this.takeLine(this.text.decode());
    if (rest.length > 0) this.processLine(rest, events);
    this.dispatch(events);
    return events;
  }

  /** The line ending with `tail`: the earlier pieces of it, if any, joined with it. */
  private takeLine(tail: string): string {
    if (this.partialLine.length === 0) return tail;
    this.partialLine.push(tail);
    const line = this.partialLine.join('');
    this.partialLine = [];
    return line;
  }

  private processLine(line: string, events: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
  }

  private dispatch(events: SseEvent[]): void {
    if (this.dataLines.length > 0) {
      const event: SseEvent = { data: this.dataLines.join('\n') };
      if (this.eventName !== undefined) event.event = this.eventName;
      events.push(event);
    }
    this.dataLines = [];
    this.eventName = undefined;
  }
}
