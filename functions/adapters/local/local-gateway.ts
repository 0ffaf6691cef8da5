import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SwitchyardConfig } from '../../core/config/schema';
import { createGateway, type Gateway } from '../../core/gateway';
import { systemClock, type Clock } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import type { Metrics } from '../../core/ports/metrics';
import type { ProviderRegistry } from '../../core/ports/provider';
import { defaultProviders } from '../../providers/registry';
import { EnvSecretStore } from './env-secret-store';
import { FileEmfMetrics } from './file-emf-metrics';
import { FileKeyStore } from './file-key-store';
import { FileResponseStore } from './file-response-store';
import { FileSpendStore } from './file-spend-store';
import { NdjsonUsageSink } from './ndjson-usage-sink';
import { createNodeHttpFetch } from './node-http-fetch';

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
  keyStore: FileKeyStore;
  spendStore: FileSpendStore;
  usageSink: NdjsonUsageSink;
  /** The metrics the gateway reports to (`flush()` resolves once lines are written). */
  metrics: Metrics;
  /** Writes what is pending and closes the usage and metrics files (after the server stopped). */
  close(): Promise<void>;
}

/** node:crypto's SHA-256: synchronous, so key look-ups skip Web Crypto's thread-pool round trip. */
function sha256HexSync(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Paths inside the local data dir. */
export function dataPaths(dataDir: string): { keys: string; spend: string; usage: string } {
  return { keys: join(dataDir, 'keys.json'), spend: join(dataDir, 'spend.json'), usage: join(dataDir, 'usage') };
}

/**
 * Wires the core to the local adapters: file key and spend stores, env secrets, NDJSON usage
 * files, and EMF metric lines in `<dataDir>/metrics.log` unless `metrics` is given.
 */
export function createLocalGateway(options: LocalGatewayOptions): LocalGateway {
  const paths = dataPaths(options.dataDir);
  const keyStore = new FileKeyStore(paths.keys);
  const spendStore = new FileSpendStore(paths.spend);
  // Metrics given by the caller are the caller's to close; the metrics.log writer is ours.
  const ownMetrics = options.metrics ? undefined : new FileEmfMetrics({ dataDir: options.dataDir, logger: options.logger });
  const metrics: Metrics = options.metrics ?? (ownMetrics as FileEmfMetrics);
  const usageSink = new NdjsonUsageSink({ dataDir: options.dataDir, logger: options.logger, metrics });
  const gateway = createGateway(
    {
      keyStore,
      spendStore,
      secrets: new EnvSecretStore(options.config, options.env),
      usageSink,
      metrics,
      clock: options.clock ?? systemClock,
      logger: options.logger,
      fetch: options.fetch ?? createNodeHttpFetch(),
      hashKey: sha256HexSync,
      random: options.random,
      providers: options.providers ?? defaultProviders,
      responses: new FileResponseStore(join(options.dataDir, 'responses')),
    },
    options.config,
  );
  const close = async (): Promise<void> => {
    await usageSink.close();
    await ownMetrics?.close();
  };
  return { gateway, keyStore, spendStore, usageSink, metrics, close };
}
