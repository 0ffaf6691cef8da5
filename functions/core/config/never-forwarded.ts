/**
 * Headers that carry credentials or framing and may never be forwarded from a client, even when
 * a provider's `forwardHeaders` lists them. Kept free of zod: the Lambda bundle imports it at
 * request time, while the config schema is only used at synth time and locally.
 */
export const NEVER_FORWARDED_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'x-amz-security-token',
];
