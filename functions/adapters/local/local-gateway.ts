import type { SwitchyardConfig } from '../../core/config/schema';
import { createGateway, type Gateway } from '../../core/gateway';
import { sweepExpiredReservations } from '../../core/pipeline/sweep-reservations';
import { systemClock, type Clock } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import type { Metrics } from '../../core/ports/metrics';
import type { ProviderRegistry } from '../../core/ports/provider';
import { defaultProviders } from '../../providers/registry';
import { sha256HexSync } from '../node-sha256';
import { EnvSecretStore } from './env-secret-store';
import { LocalAlertSink } from './local-alert-sink';
import { FileEmfMetrics } from './file-emf-metrics';
import { NdjsonAuditSink, NdjsonUsageSink } from './ndjson-sinks';
import { createNodeHttpFetch } from './node-http-fetch';
import { openLocalDatabase } from './sqlite/database';
import { SqliteKeyStore } from './sqlite/key-store';
import { SqliteResponseStore } from './sqlite/response-store';
import { SqliteSpendStore } from './sqlite/spend-store';

/** Options of {@link createLocalGateway}. */
export interface LocalGatewayOptions {
  config: SwitchyardConfig;
  dataDir: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  clock?: Clock;
  metrics?: Metrics;
  random?: () => number;
  /** Provider adapters by config `type` (default: the built-in ones). */
  providers?: ProviderRegistry;
  /** Upstream fetch; defaults to the lean node:http one ({@link createNodeHttpFetch}). */
  fetch?: typeof fetch;
}

/** The gateway with its local adapters, and the stores the CLI and tests also use. */
export interface LocalGateway {
  gateway: Gateway;
  keyStore: SqliteKeyStore;
  spendStore: SqliteSpendStore;
  usageSink: NdjsonUsageSink;
  /** Audit records under `<dataDir>/audit/` (`audit` config, per key and team). */
  auditSink: NdjsonAuditSink;
  /** The metrics the gateway reports to (`flush()` resolves once lines are written). */
  metrics: Metrics;
  /**
   * Releases the reservations of requests that died unsettled (a killed earlier run) whose expiry
   * has passed, resolving once done, then again every `budgets.sweepIntervalMs` until `close`.
   */
  startSweeper(): Promise<void>;
  /** Writes what is pending, closes the usage, audit and metrics files and the database (after the server stopped). */
  close(): Promise<void>;
}

/**
 * Wires the core to the local adapters: keys, spend and stored responses in the embedded
 * database (`<dataDir>/switchyard.db`), env secrets, NDJSON usage and audit files, EMF metric lines in
 * `<dataDir>/metrics.log` unless `metrics` is given, and budget alerts as log lines (and
 * webhook calls when `budgets.alertWebhookUrl` is set).
 */
export function createLocalGateway(options: LocalGatewayOptions): LocalGateway {
  const db = openLocalDatabase(options.dataDir);
  const keyStore = new SqliteKeyStore(db);
  const alerts = new LocalAlertSink(options.logger, options.config.budgets.alertWebhookUrl);
  const spendStore = new SqliteSpendStore(db, (alert) => void alerts.send(alert));
  // Metrics given by the caller are the caller's to close; the metrics.log writer is ours.
  const ownMetrics = options.metrics ? undefined : new FileEmfMetrics({ dataDir: options.dataDir, logger: options.logger });
  const metrics: Metrics = options.metrics ?? (ownMetrics as FileEmfMetrics);
  const clock = options.clock ?? systemClock;
  const usageSink = new NdjsonUsageSink({ dataDir: options.dataDir, logger: options.logger, metrics });
  const auditSink = new NdjsonAuditSink({ dataDir: options.dataDir, logger: options.logger, metrics });
  const gateway = createGateway(
    {
      keyStore,
      spendStore,
      secrets: new EnvSecretStore(options.config, options.env),
      usageSink,
      auditSink,
      metrics,
      clock,
      logger: options.logger,
      fetch: options.fetch ?? createNodeHttpFetch(),
      hashKey: sha256HexSync,
      random: options.random,
      providers: options.providers ?? defaultProviders,
      responses: new SqliteResponseStore(db),
    },
    options.config,
  );
  let sweeping: { timer: NodeJS.Timeout; running: Promise<unknown> } | undefined;
  const sweep = (): Promise<unknown> =>
    sweepExpiredReservations({ spendStore, usageSink, auditSink, metrics, clock, logger: options.logger }).catch((error: unknown) => {
      options.logger.error('releasing expired reservations failed; the next sweep tries again', { error: String(error) });
    });
  const startSweeper = async (): Promise<void> => {
    const running = sweep();
    const timer = setInterval(() => {
      if (sweeping) sweeping.running = sweeping.running.then(sweep);
    }, options.config.budgets.sweepIntervalMs);
    // The sweeper never keeps the process alive on its own.
    timer.unref();
    sweeping = { timer, running };
    await running;
  };
  const close = async (): Promise<void> => {
    if (sweeping) {
      clearInterval(sweeping.timer);
      await sweeping.running;
    }
    await alerts.drain();
    await usageSink.close();
    await auditSink.close();
    await ownMetrics?.close();
    db.close();
  };
  return { gateway, keyStore, spendStore, usageSink, auditSink, metrics, startSweeper, close };
}
