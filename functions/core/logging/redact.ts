import type { LogFields, Logger } from '../ports/logger';

/** What replaces a secret in logs and error messages. */
const REDACTED = '[REDACTED]';

/**
 * Field and header names whose values are credentials, compared case-insensitively with `-` and
 * `_` ignored (`x-api-key`, `X_API_KEY` and `xApiKey` are one name).
 */
const SENSITIVE_NAMES = new Set([
  'authorization',
  'proxyauthorization',
  'xapikey',
  'apikey',
  'xgoogapikey',
  'cookie',
  'setcookie',
  'xamzsecuritytoken',
  'password',
  'secret',
  'secretaccesskey',
  'sessiontoken',
  'accesstoken',
  'refreshtoken',
]);

/**
 * Shapes of credentials that may turn up inside free text (an upstream error that echoes the key,
 * a prompt quoting one): Switchyard virtual keys, OpenAI/Anthropic `sk-` keys, Google `AIza` keys,
 * AWS access key ids, and bearer tokens.
 */
const SECRET_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

const MAX_DEPTH = 8;

/** Whether a field or header name carries a credential. */
function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAMES.has(name.toLowerCase().replace(/[-_]/g, ''));
}

/** Replaces every credential-shaped substring of `text` (logs, audit payloads). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, (_match, bearer?: string) => (typeof bearer === 'string' ? bearer + REDACTED : REDACTED));
  return out;
}

/**
 * Removes one known secret (a provider API key) from `text`, whatever its shape. Used on upstream
 * error bodies, which some providers fill with the key they were sent.
 */
export function removeSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4 || !text.includes(secret)) return text;
  return text.split(secret).join(REDACTED);
}

/** Headers as a plain object with credential values replaced: safe to log. */
export function redactHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) out[name] = isSensitiveName(name) ? REDACTED : redactSecrets(value);
  return out;
}

/**
 * A copy of log fields with credential-named fields replaced and credential-shaped text redacted,
 * at any depth (bounded: deeper values are summarised, never printed unredacted).
 */
export function redactLogFields(fields: LogFields): LogFields {
  return redactValue(fields, 0) as LogFields;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redactSecrets(`${value.name}: ${value.message}`);
  if (depth >= MAX_DEPTH) return '[depth limit]';
  if (value instanceof Headers) return redactHeaders(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = isSensitiveName(key) ? REDACTED : redactValue(inner, depth + 1);
  return out;
}

/**
 * Wraps any {@link Logger} (the local console logger, Powertools on Lambda) so that every message
 * and field passes through {@link redactSecrets}/{@link redactLogFields} before it is written.
 *
 * @example
 * const logger = withRedaction(powertoolsLogger(new PowertoolsLogger({ serviceName: 'switchyard' })));
 */
export function withRedaction(logger: Logger): Logger {
  const at =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void =>
      fields === undefined ? logger[level](redactSecrets(message)) : logger[level](redactSecrets(message), redactLogFields(fields));
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
