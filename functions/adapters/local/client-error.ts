import type { Duplex } from 'node:stream';

/** Parser error codes of node:http that mean "header section too large". */
const HEADER_OVERFLOW = 'HPE_HEADER_OVERFLOW';

/**
 * `clientError` handler of the local server: a request the HTTP parser refuses (headers over
 * `maxHeaderSize`, malformed request line) still gets an OpenAI-format error — 431 for oversized
 * headers, 400 otherwise — and the connection is closed. Resets and sockets that can no longer be
 * written are just destroyed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === HEADER_OVERFLOW;
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({
    error: tooLarge
      ? { message: 'The request headers are too large.', type: 'invalid_request_error', param: null, code: 'request_header_fields_too_large' }
      : { message: 'The HTTP request could not be parsed.', type: 'invalid_request_error', param: null, code: 'bad_http_request' },
  });
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
