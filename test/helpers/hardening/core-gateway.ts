
import { createGateway, type Gateway } from '../../../functions/core/gateway';
import { createKeyRecord } from '../../../functions/core/keys/new-key';
import { systemClock } from '../../../functions/core/ports/clock';
import type { KeyRecord, KeyStore } from '../../../functions/core/ports/key-store';
import type { LogFields, Logger } from '../../../functions/core/ports/logger';
import type { Metrics } from '../../../functions/core/ports/metrics';
import type { SecretStore } from '../../../functions/core/ports/secret-store';
import type { SpendStore } from '../../../functions/core/ports/spend-store';
import type { UsageSink } from '../../../functions/core/ports/usage-sink';
import type { AuditSink } from '../../../functions/core/ports/audit-sink';
import type { UsageEvent } from '../../../functions/core/usage/usage-event';
import { defaultProviders } from '../../../functions/providers/registry';
import { parseConfig } from '../../../functions/providers/config';

/** A log line as the core emitted it. */
interface LoggedLine {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

/** The core gateway called directly with `Request`s, on in-memory ports. */
export interface CoreGateway {
  gateway: Gateway;
  key: string;
  record: KeyRecord;
  events: UsageEvent[];
  logs: LoggedLine[];
  /** Resolves once every request's after-response work (settlement, usage event) is done. */
  settled(): Promise<void>;
}

/** Options of {@link startCoreGateway}. */
export interface CoreGatewayOptions {
  config: unknown;
  secrets?: SecretStore;
  keyStore?: KeyStore;
  spendStore?: SpendStore;
  fetch?: typeof fetch;
  /** Replaces the capturing sink (then `events` stays empty). */
  usageSink?: UsageSink;
  /** An audit sink (none by default: nothing is audited). */
  auditSink?: AuditSink;
  metrics?: Metrics;
}

/**
 * Builds `createGateway(...)` over an in-memory key store holding one fresh key, capturing usage
 * events and log lines; every request's `waitUntil` work is tracked for {@link CoreGateway.settled}.
 */
export async function startCoreGateway(options: CoreGatewayOptions): Promise<CoreGateway> {
  const { key, record } = await createKeyRecord({ name: 'fuzz' }, new Date());
  const keyStore: KeyStore = options.keyStore ?? {
    findByHash: async (hash) => (hash === record.keyHash ? record : undefined),
    findTeam: async () => undefined,
    listTagBudgets: async () => [],
  };
  const events: UsageEvent[] = [];
  const logs: LoggedLine[] = [];
  const capture = (level: string) => (message: string, fields?: LogFields) => void logs.push({ level, message, fields });
  const logger: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };
  const pending: Promise<unknown>[] = [];
  const inner = createGateway(
    {
      keyStore,
      spendStore: options.spendStore,
      secrets: options.secrets ?? { get: async () => undefined },
      usageSink: options.usageSink ?? { write: async (event) => void events.push(event) },
      auditSink: options.auditSink,
      metrics: options.metrics,
      clock: systemClock,
      logger,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      providers: defaultProviders,
    },
    parseConfig(options.config),
  );
  const gateway: Gateway = (request, context = {}) => inner(request, { ...context, waitUntil: (promise) => void pending.push(promise) });
  return {
    gateway,
    key,
    record,
    events,
    logs,
    settled: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}

/** Rejects with a clear message when `promise` does not settle within `ms` (a hang, not slowness). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}
