import { z } from 'zod';
import { DEFAULT_ALERT_PERCENTS } from '../alerts/budget-alerts';
import { AUDIT_LEVELS } from '../audit/audit-record';
import type { ProviderSettings } from '../ports/provider';
import { loggingSchema, requestLimitFields } from './hardening-schema';

/**
 * The gateway's part of `switchyard.config.json`: everything but the provider settings, which
 * each provider type validates with its own schema (`functions/providers/<type>/settings.ts`).
 * {@link configSchemaWith} assembles the whole file's schema from them; the loader validates with
 * it and `npm run schema` generates `switchyard.config.schema.json` from it for editors.
 */

/** USD per 1M tokens. */
const priceSchema = z.strictObject({
  input: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
});

/** A target of a model alias: a provider model, or another alias (nesting). */
const targetSchema = z.strictObject({
  provider: z.string().min(1).optional().describe('Provider name from `providers`.'),
  model: z.string().min(1).optional().describe('Provider model name (required with `provider`).'),
  alias: z.string().min(1).optional().describe('Another model alias (instead of provider/model).'),
  weight: z.number().positive().optional().describe('Relative weight for `loadbalance` (default 1).'),
  maxOutputTokens: z.number().int().positive().optional().describe('Output token limit of this model.'),
  contextWindow: z.number().int().positive().optional().describe('Context window in tokens (for context-length fallback).'),
  price: priceSchema.optional().describe('USD per 1M tokens, overriding the built-in price table.'),
  params: z.record(z.string(), z.unknown()).optional().describe('Request parameters forced on this target (e.g. temperature).'),
});

/** A model alias clients use as `model`. */
const modelSchema = z.strictObject({
  strategy: z.enum(['fallback', 'loadbalance']).default('fallback'),
  targets: z.array(targetSchema).min(1),
  description: z.string().optional(),
});

/** The error classes routing may fall back on. */
const errorClassSchema = z.enum(['rate_limit', 'server_error', 'timeout', 'connection', 'context_length', 'content_policy', 'auth', 'not_found']);

/**
 * The whole config file's schema, with `providerSettings` validating each `providers.<name>` entry
 * (the discriminated union of the provider types' own schemas).
 */
export function configSchemaWith<P extends z.ZodType<ProviderSettings>>(providerSettings: P) {
  return z.strictObject({
  $schema: z.string().optional(),
  providers: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'provider names use letters, digits, - and _'), providerSettings),
  models: z.record(z.string().min(1), modelSchema),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(10).default(2).describe('Attempts per target, the first included.'),
      backoffMs: z.number().int().min(0).default(200).describe('Base of the exponential backoff (doubled per retry, jittered).'),
      maxBackoffMs: z.number().int().min(0).default(5000).describe('Cap on the computed backoff.'),
      maxRetryAfterMs: z.number().int().min(0).default(10000).describe('Longest retry-after honoured; a provider asking for more is not retried (fallback instead).'),
      onStatus: z
        .array(z.number().int().min(400).max(599))
        .default([429, 500, 502, 503, 504])
        .describe('Upstream statuses retried on the same target (timeouts and connection resets always are).'),
    })
    .prefault({}),
  fallbackOn: z
    .array(errorClassSchema)
    .default(['rate_limit', 'server_error', 'timeout', 'connection', 'context_length', 'content_policy', 'auth', 'not_found'])
    .describe('Error classes after which the next target is tried (docs/routing.md).'),
  cooldown: z
    .strictObject({
      failures: z.number().int().min(1).describe('Failed attempts within `windowMs` that put a target in cooldown.'),
      windowMs: z.number().int().positive().default(60000).describe('Sliding window in which failures are counted.'),
      cooldownMs: z.number().int().positive().default(30000).describe('How long a target is skipped before one half-open probe.'),
    })
    .optional()
    .describe('Per-target circuit breaker, per gateway process (off when absent; docs/routing.md).'),
  requestControls: z
    .strictObject({
      allowTargetHeader: z.boolean().default(false).describe('Honour `x-switchyard-target: provider/model` (pin one target of the alias).'),
      allowNoFallbackHeader: z.boolean().default(false).describe('Honour `x-switchyard-fallback: off` (first target only).'),
    })
    .prefault({})
    .describe('Per-request routing headers for debugging; ignored unless enabled here.'),
  limits: z
    .strictObject({
      maxBodyBytes: z.number().int().positive().default(8 * 1024 * 1024).describe('Largest accepted request body (413 above).'),
      ...requestLimitFields,
    })
    .prefault({}),
  logging: loggingSchema,
  budgets: z
    .strictObject({
      waitMs: z
        .number()
        .int()
        .min(0)
        .default(10000)
        .describe('How long a request refused only because of other requests’ in-flight reservations waits for them to settle (never past the request’s deadline); 0 refuses at once.'),
      releaseGraceMs: z
        .number()
        .int()
        .min(0)
        .default(60000)
        .describe('How long after its request’s deadline (timeouts.totalMs) a reservation that was never settled — the process was killed, the Lambda timed out — is released, charged at its estimate.'),
      sweepIntervalMs: z
        .number()
        .int()
        .positive()
        .default(60000)
        .describe('How often the local server releases expired reservations (it also does at start-up); on AWS a scheduled function does, every minute.'),
      alerts: z
        .array(z.number().positive().max(1000))
        .max(10)
        .default([...DEFAULT_ALERT_PERCENTS])
        .describe('Alert thresholds of every budget that names none (`budget set --alerts`), percent of its limit: an alert when settled spend crosses one, once per period.'),
      alertWebhookUrl: z
        .url({ protocol: /^https?$/ })
        .optional()
        .describe('Local server only: each budget alert is also POSTed here as JSON (on AWS alerts go to EventBridge and the budget-alert SNS topic).'),
    })
    .prefault({})
    .describe('How budgets admit requests (docs: Keys, budgets and rate limits).'),
  audit: z
    .strictObject({
      default: z
        .enum(AUDIT_LEVELS)
        .default('none')
        .describe('Audit level of keys and teams that set none (`keys create --audit`, `budget set --team T --audit`): none, metadata (who, what, when, outcome) or full (also the request and the whole response).'),
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .max(450 * 1024)
        .default(450 * 1024)
        .describe('Largest request or response payload kept whole in a full audit record (UTF-8 bytes); a longer one is cut and flagged `request_truncated` / `response_truncated`. Two of them fit one Firehose record (1,000 KiB).'),
      retentionDays: z
        .number()
        .int()
        .positive()
        .default(365)
        .describe('AWS: days audit records are kept in S3 before the lifecycle rule deletes them.'),
      objectLock: z
        .strictObject({
          mode: z.enum(['GOVERNANCE', 'COMPLIANCE']).default('GOVERNANCE').describe('GOVERNANCE: privileged users can still delete; COMPLIANCE: nobody can, not even the account root, until the retention ends.'),
          days: z.number().int().positive().describe('Days each audit object is locked against deletion and overwrite (at most retentionDays).'),
        })
        .optional()
        .describe('AWS: S3 Object Lock on the audit bucket for tamper evidence. Can only be chosen when the bucket is created (first deploy).'),
    })
    .prefault({})
    .describe('The audit trail of requests and responses (docs: Audit trail).'),
  timeouts: z
    .strictObject({
      firstByteMs: z.number().int().positive().default(30000).describe('Per attempt: until the first stream chunk, or the response headers when not streaming.'),
      idleMs: z.number().int().positive().default(60000).describe('Longest silence between stream chunks once streaming.'),
      totalMs: z.number().int().positive().default(600000).describe('Overall deadline of a request, retries and stream included.'),
      heartbeatMs: z.number().int().positive().default(15000).describe('SSE comment heartbeat during silences.'),
    })
    .prefault({}),
  });
}

/** A validated config with defaults applied (provider settings as the core sees them). */
export type SwitchyardConfig = z.output<ReturnType<typeof configSchemaWith<z.ZodType<ProviderSettings>>>>;
/** One validated provider entry. */
export type ProviderConfig = ProviderSettings;
/** One validated alias target. */
export type TargetConfig = z.output<typeof targetSchema>;
/** Prices in USD per 1M tokens. */
export type Price = z.output<typeof priceSchema>;
