const MAX_TAGS = 20;
const TAG_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

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
