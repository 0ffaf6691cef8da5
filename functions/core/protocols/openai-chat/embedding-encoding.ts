/**
 * The OpenAI `encoding_format: "base64"` form of embedding vectors: little-endian float32, packed
 * and base64-encoded. The OpenAI SDKs ask for it by default and decode it (DESIGN §9). Web-standard
 * only (`DataView`, `btoa`/`atob`), so the core and every provider can use it.
 */

/** Little-endian float32 packed and base64-encoded, as the OpenAI API returns it. */
export function floatsToBase64(values: readonly number[]): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The inverse of {@link floatsToBase64}. */
export function base64ToFloats(encoded: string): number[] {
  const binary = atob(encoded);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const values: number[] = [];
  for (let offset = 0; offset + 4 <= binary.length; offset += 4) values.push(view.getFloat32(offset, true));
  return values;
}
