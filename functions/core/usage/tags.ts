const MAX_TAGS = 20;
/** The longest end-user id kept (Anthropic's own limit on `metadata.user_id`). */
const MAX_END_USER_LENGTH = 256;

/**
 * The request's end user (DESIGN §4): the `x-switchyard-user` header when present — an
 * application or a coding agent's environment (`ANTHROPIC_CUSTOM_HEADERS`) names its user
 * explicitly — else the body's (`user` of the OpenAI APIs, `metadata.user_id` of the Messages API);
 * null when neither names one. Cut to 256 characters.
 */
export function endUserOf(header: string | null, bodyUser: string | null | undefined): string | null {
  const user = header?.trim() || bodyUser || null;
  return user === null ? null : user.slice(0, MAX_END_USER_LENGTH);
}

const TAG_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The canonical `NAME=VALUE` of a tag as a request would carry it (name and value trimmed, the
 * value cut to 256 characters), or undefined when `text` is not a tag a request could carry.
 */
export function normalizedTag(text: string): string | undefined {
  // One tag, read by the same rules as the header's (a comma would start a second one).
  if (text.includes(',')) return undefined;
  const [tag, ...more] = Object.entries(parseTags(text, null));
  return tag && more.length === 0 && tag[1] !== '' ? `${tag[0]}=${tag[1]}` : undefined;
}

/**
 * Attribution tags from the `x-switchyard-tags` header (`service=search,feature=autocomplete`)
 * and the request's `metadata` (header wins on conflicts). Keys are limited to a safe alphabet and
 * values to 256 characters so a client cannot blow up the usage table; extra tags are dropped.
 */
export function parseTags(header: string | null, metadata: Record<string, unknown> | null | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  let count = 0;
  const add = (key: string, value: string): void => {
    if (count >= MAX_TAGS || !TAG_KEY.test(key)) return;
    if (!(key in tags)) count++;
    tags[key] = value.slice(0, 256);
  };
  if (metadata) for (const [key, value] of Object.entries(metadata)) if (typeof value === 'string') add(key, value);
  if (header) {
    for (const pair of header.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      add(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  return tags;
}
