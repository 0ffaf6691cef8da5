import { GatewayError } from '../errors';

/** 431 for a request whose header section is larger than `limit` bytes. */
function headersTooLarge(limit: number): GatewayError {
  return new GatewayError({
    verdict: 'final',
    status: 431,
    type: 'invalid_request_error',
    code: 'request_header_fields_too_large',
    message: `The request headers exceed the limit of ${limit} bytes.`,
    errorClass: 'invalid_request',
  });
}

/**
 * Refuses oversized header sections before any work is done with them (tags parsing, forwarding,
 * logging). The local server's HTTP parser enforces the same limit (`maxHeaderSize`) and API
 * Gateway its own; this check makes every runtime answer alike. Counts UTF-16 units as bytes of
 * the `name: value\r\n` lines, which is exact for the Latin-1 values HTTP carries.
 */
export function assertHeaderSize(headers: Headers, limit: number): void {
  let size = 0;
  for (const [name, value] of headers) {
    size += name.length + value.length + 4;
    if (size > limit) throw headersTooLarge(limit);
  }
}
