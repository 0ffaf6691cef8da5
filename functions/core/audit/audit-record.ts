import { redactSecrets } from '../logging/redact';
import type { UsageEvent } from '../usage/usage-event';

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
export function auditPayloadText(payload: unknown, maxBytes: number): PayloadText {
  if (payload === undefined) return { text: null, truncated: false };
  const text = redactSecrets(JSON.stringify(payload));
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short texts need no encoding to measure.
  if (text.length * 3 <= maxBytes) return { text, truncated: false };
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, truncated: false };
  // A character cut in two decodes to U+FFFD at the end: dropped.
  return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, ''), truncated: true };
}

/** Request facts the audit record takes from the HTTP request itself. */
export interface AuditedRequest {
  method: string;
  userAgent: string | null;
}

/** A payload as a record holds it: JSON text (or none), and whether it was cut. */
interface PayloadText {
  text: string | null;
  truncated: boolean;
}

const NO_PAYLOAD: PayloadText = { text: null, truncated: false };

/**
 * The audit record of a request from its usage event: the facts both share (who, what, how it
 * ended) are the event's, so the two never disagree; `payloads` only at level `full`.
 */
export function auditRecordFrom(event: UsageEvent, level: AuditRecord['audit_level'], request: AuditedRequest, payloads: { request: PayloadText; response: PayloadText } = { request: NO_PAYLOAD, response: NO_PAYLOAD }): AuditRecord {
  return {
    request_id: event.request_id,
    ts: event.ts,
    audit_level: level,
    key_id: event.key_id,
    key_name: event.key_name,
    team: event.team,
    tags: event.tags,
    user: event.user,
    method: request.method,
    endpoint: event.endpoint,
    user_agent: request.userAgent,
    model_requested: event.model_requested,
    provider: event.provider,
    provider_model: event.provider_model,
    stream: event.stream,
    status: event.status,
    http_status: event.http_status,
    error_type: event.error_type,
    latency_ms: event.latency_ms,
    request_body: payloads.request.text,
    response_body: payloads.response.text,
    request_truncated: payloads.request.truncated,
    response_truncated: payloads.response.truncated,
  };
}
