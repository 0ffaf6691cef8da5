/** A parsed base64 `data:` URL. */
export interface DataUrl {
  /** The media type, e.g. `image/png` (parameters such as `;name=x` are dropped). */
  mediaType: string;
  /** The base64 payload, as sent. */
  base64: string;
}

/** `data:<media type>[;param=value…];base64,<payload>` (RFC 2397, base64 only). */
const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s;

/**
 * Parses a base64 `data:` URL, the one way every provider reads inline images and files from
 * OpenAI content parts; `undefined` for anything else (an http(s) URL, a non-base64 data URL).
 *
 * @example
 * parseDataUrl('data:image/png;base64,iVBOR…') // { mediaType: 'image/png', base64: 'iVBOR…' }
 */
export function parseDataUrl(url: string): DataUrl | undefined {
  const match = DATA_URL.exec(url);
  return match ? { mediaType: match[1] as string, base64: match[3] as string } : undefined;
}
