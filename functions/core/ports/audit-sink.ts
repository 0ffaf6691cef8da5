import type { AuditRecord } from '../audit/audit-record';

/** Receives the audit record of each audited request (DESIGN §5 "Audit log"). */
export interface AuditSink {
  /** Persists or forwards the record. Must not throw for delivery failures it can record itself. */
  write(record: AuditRecord): Promise<void>;
}
