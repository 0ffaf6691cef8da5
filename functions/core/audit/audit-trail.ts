import type { Principal } from '../pipeline/authenticate';
import type { GatewayRuntime } from '../runtime';
import type { StreamEncoder } from '../streaming/sse-response-body';
import type { RequestRecord } from '../usage/request-record';
import type { UsageEvent } from '../usage/usage-event';
import { auditPayloadText, auditRecordFrom, type AuditedRequest, type AuditLevel, type AuditRecord } from './audit-record';
import { SseTranscript, type StreamAssembler } from './stream-transcript';

/**
 * The audit level of a caller's requests: its key's, else its team's (from the cached key
 * store), else the config's `audit.default`. Without an audit sink nothing is audited.
 * Unauthenticated requests get at most `metadata`: their bodies are never read.
 */
export async function auditLevelOf(runtime: GatewayRuntime, principal: Principal | undefined): Promise<AuditLevel> {
  if (!runtime.deps.auditSink) return 'none';
  const fallback = runtime.config.audit.default;
  if (!principal) return fallback === 'none' ? 'none' : 'metadata';
  if (principal.audit) return principal.audit;
  if (principal.team === undefined) return fallback;
  return (await runtime.deps.keyStore.findTeam(principal.team))?.audit ?? fallback;
}

/** Keeps the request body for the audit record when the request is audited in full. */
export function auditRequestBody(record: RequestRecord, body: unknown): void {
  if (record.auditLevel === 'full') record.auditRequest = body;
}

/** Keeps a whole response body for the audit record when the request is audited in full. */
export function auditResponseBody(record: RequestRecord, body: unknown): void {
  if (record.auditLevel === 'full') record.auditResponse = body;
}

/**
 * The stream encoder to answer with: `encoder` itself, or, when the request is audited in full,
 * `encoder` with every chunk it produces also kept by a transcript, which reassembles the record's
 * response with the protocol's `assembler` once the stream is over. The client's chunks are
 * neither copied nor held back: the transcript reads them only after the last one was sent.
 */
export function auditedEncoder<T>(record: RequestRecord, encoder: StreamEncoder<T>, assembler: () => StreamAssembler): StreamEncoder<T> {
  if (record.auditLevel !== 'full') return encoder;
  const transcript = new SseTranscript(assembler());
  record.auditTranscript = transcript;
  const seen = (bytes: Uint8Array): Uint8Array => {
    transcript.push(bytes);
    return bytes;
  };
  return {
    encode: (item) => {
      const bytes = encoder.encode(item);
      return bytes && seen(bytes);
    },
    get usage() {
      return encoder.usage;
    },
    get completionChars() {
      return encoder.completionChars;
    },
    finish: async (usage) => (await encoder.finish(usage)).map(seen),
    fail: (error) => seen(encoder.fail(error)),
  };
}

/**
 * The audit record of a finished request, from its usage event (one account of the request for
 * both), or `undefined` when it is not audited. At level `full` it carries the request body and
 * the response: the body sent, or the stream as its transcript reassembled it.
 */
export function auditRecordOf(runtime: GatewayRuntime, record: RequestRecord, request: AuditedRequest, event: UsageEvent): AuditRecord | undefined {
  if (record.auditLevel === 'none') return undefined;
  if (record.auditLevel === 'metadata') return auditRecordFrom(event, 'metadata', request);
  const { maxBodyBytes } = runtime.config.audit;
  const response = record.auditTranscript ? record.auditTranscript.result() : record.auditResponse;
  return auditRecordFrom(event, 'full', request, { request: auditPayloadText(record.auditRequest, maxBodyBytes), response: auditPayloadText(response, maxBodyBytes) });
}

/**
 * Writes the audit record of a finished request, after its response is complete (it never
 * delays the client); a failing sink is logged and counted, never thrown.
 */
export async function emitAudit(runtime: GatewayRuntime, audit: AuditRecord | undefined): Promise<void> {
  const { auditSink, logger, metrics } = runtime.deps;
  if (!audit || !auditSink) return;
  try {
    await auditSink.write(audit);
  } catch (error) {
    logger.error('audit record not written', { requestId: audit.request_id, audit_record: audit, cause: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    metrics?.recordAuditDeliveryFailure?.(1);
  }
}
