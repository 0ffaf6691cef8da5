import { createHash } from 'node:crypto';

/**
 * Hex SHA-256 of a string with `node:crypto`, synchronously: the key hash every Node entry point
 * injects (`GatewayDeps.hashKey`, the authorizer). The core's runtime-agnostic default,
 * `sha256Hex`, uses Web Crypto, whose digest is a job on libuv's thread pool: about 40 µs of CPU
 * per key on one core against 1–2 µs here (Node 24; docs/benchmark.md).
 */
export function sha256HexSync(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
