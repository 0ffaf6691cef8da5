import { SseDecoder } from '../../../../functions/core/streaming/sse-decoder';

function decodeInPieces(text: string, pieceSize: number): Array<{ event?: string; data: string }> {
  const decoder = new SseDecoder();
  const bytes = new TextEncoder().encode(text);
  const events = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize) events.push(...decoder.push(bytes.subarray(offset, offset + pieceSize)));
  events.push(...decoder.end());
  return events;
}

describe('SseDecoder', () => {
  it.each([
    ['LF', 'event: a\ndata: 1\n\ndata: 2\n\n'],
    ['CRLF', 'event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n'],
    ['CR', 'event: a\rdata: 1\r\rdata: 2\r\r'],
  ])('decodes %s line endings, whole and byte by byte', (_name, text) => {
    for (const size of [1, 2, 3, 1000]) {
      expect(decodeInPieces(text, size)).toEqual([{ event: 'a', data: '1' }, { data: '2' }]);
    }
  });

  it('joins multi-line data, skips comments and events without data', () => {
    expect(decodeInPieces(': ping\n\nevent: x\n\ndata: a\ndata: b\n\n', 1)).toEqual([{ data: 'a\nb' }]);
  });

  it('keeps multi-byte UTF-8 characters intact when split across pieces', () => {
    const text = 'data: {"t":"héllo 世界 🚀"}\n\n';
    for (const size of [1, 2, 3]) expect(decodeInPieces(text, size)).toEqual([{ data: '{"t":"héllo 世界 🚀"}' }]);
  });

  it('delivers a final event that lacks the blank line at end of stream', () => {
    expect(decodeInPieces('data: last', 1)).toEqual([{ data: 'last' }]);
  });

  it('strips exactly one space after the colon', () => {
    expect(decodeInPieces('data:  two\n\ndata:none\n\n', 1)).toEqual([{ data: ' two' }, { data: 'none' }]);
  });

  it('keeps a CR that ends one piece paired with the LF that starts a later one, across empty pieces', () => {
    const decoder = new SseDecoder();
    const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
    const events = [...decoder.push(bytes('data: 1\r')), ...decoder.push(bytes('')), ...decoder.push(bytes('\n\r\n')), ...decoder.push(bytes('data: 2\n\n'))];
    expect(events).toEqual([{ data: '1' }, { data: '2' }]);
  });

  it('assembles a line of many kilobytes sent one byte at a time', () => {
    const payload = JSON.stringify({ text: 'x'.repeat(50_000) });
    expect(decodeInPieces(`event: big\ndata: ${payload}\n\n`, 1)).toEqual([{ event: 'big', data: payload }]);
  });
});
