import { redactSecrets } from '../logging/redact';

/** How much of a request the audit trail keeps (DESIGN §5 "Audit log"). */
export const AUDIT_LEVELS = ['none', 'metadata', 'full'] as const;
/**
 * `none`: no audit record. `metadata`: who asked what, when, and how it ended (no payloads).
 * `full`: also the request body and the whole response, a stream reassembled.
 */
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

/**
 * One audit record per audited request: the same object locally (NDJSON under
 * `<data-dir>/audit/dt=YYYY-MM-DD/`) and on AWS (Firehose → S3 → Glue table `audit_records`).
 * Snake_case because the fields are table columns; joinable with the usage events on
 * `request_id`. Payloads are JSON text, not nested objects, so one string column holds any
 * protocol's body; credential-shaped strings inside them are redacted, and virtual or provider
 * keys are never in a record (they travel in headers, which are not recorded).
 */
export interface AuditRecord {
  request_id: string;
  /** ISO-8601 instant the request arrived. */
  ts: string;
  audit_level: Exclude<AuditLevel, 'none'>;
  key_id: string | null;
  key_name: string | null;
  team: string | null;
  tags: Record<string, string>;
  user: string | null;
  method: string;
  endpoint: string;
  user_agent: string | null;
  model_requested: string | null;
  provider: string | null;
  provider_model: string | null;
  stream: boolean;
  status: string;
  http_status: number;
  error_type: string | null;
  latency_ms: number;
  /** The request body as JSON text (`full` only). */
  request_body: string | null;
  /**
   * The response as JSON text (`full` only): the body the client got, or for a stream the
   * protocol's whole-response shape reassembled from the events it got (text, tool calls,
   * reasoning, usage; an error that ended it under `error`).
   */
  response_body: string | null;
  /** Whether `request_body` was cut at `audit.maxBodyBytes` (then it is not valid JSON). */
  request_truncated: boolean;
  response_truncated: boolean;
}

/** A payload as the redacted JSON text of a record, cut to `maxBytes` UTF-8 bytes. */
export function auditPayloadText(payload: unknown, maxBytes: number): { text: string | null; truncated: boolean } {
  if (payload === undefined) return { text: null, truncated: false };
  const text = redactSecrets(JSON.stringify(payload));
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short texts need no encoding to measure.
  if (text.length * 3 <= maxBytes) return { text, truncated: false };
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, truncated: false };
  // A character cut in two decodes to U+FFFD at the end: dropped.
  return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, ''), truncated: true };
}
