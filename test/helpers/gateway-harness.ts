import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';

import { createKeyRecord, type NewKeyOptions } from '../../functions/core/keys/new-key';
import type { Clock } from '../../functions/core/ports/clock';
import type { LogFields, Logger } from '../../functions/core/ports/logger';
import type { UsageEvent } from '../../functions/core/usage/usage-event';
import { createLocalGateway, type LocalGateway } from '../../functions/adapters/local/local-gateway';
import { startLocalServer, type LocalServer } from '../../functions/adapters/local/node-http-server';
import type { ProviderRegistry } from '../../functions/core/ports/provider';
import { parseConfig } from '../../functions/providers/config';

/** A log line captured by the harness logger. */
interface CapturedLog {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

/** A gateway served on 127.0.0.1 with local adapters, a temp data dir and one key. */
export interface GatewayHarness {
  url: string;
  baseURL: string;
  key: string;
  keyId: string;
  dataDir: string;
  local: LocalGateway;
  server: LocalServer;
  logs: CapturedLog[];
  /** An OpenAI SDK client for `key` (or another key), with SDK retries off. */
  client(key?: string): OpenAI;
  /** Creates another key in the store and returns its plaintext. */
  createKey(options: NewKeyOptions): Promise<{ key: string; keyId: string }>;
  /** Every usage event written so far (after in-flight work finished). */
  usageEvents(): Promise<UsageEvent[]>;
  close(): Promise<void>;
}

/** Options of {@link startGatewayHarness}. */
export interface HarnessOptions {
  config: unknown;
  env?: Record<string, string | undefined>;
  providers?: ProviderRegistry;
  clock?: Clock;
  random?: () => number;
  key?: NewKeyOptions;
}

/** Starts a gateway for a test; call `close()` in `afterAll`/`afterEach`. */
export async function startGatewayHarness(options: HarnessOptions): Promise<GatewayHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-test-'));
  const logs: CapturedLog[] = [];
  const capture = (level: string) => (message: string, fields?: LogFields) => void logs.push({ level, message, fields });
  const logger: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };
  const config = parseConfig(options.config);
  const local = createLocalGateway({
    config,
    dataDir,
    env: options.env ?? {},
    logger,
    clock: options.clock,
    random: options.random,
    providers: options.providers,
  });
  const createKey = async (keyOptions: NewKeyOptions): Promise<{ key: string; keyId: string }> => {
    const { key, record } = await createKeyRecord(keyOptions, new Date());
    await local.keyStore.put(record);
    return { key, keyId: record.keyId };
  };
  const first = await createKey(options.key ?? { name: 'test' });
  const server = await startLocalServer(local.gateway, { host: '127.0.0.1', port: 0, maxHeaderSize: config.limits.maxHeaderBytes, maxBodyBytes: config.limits.maxBodyBytes });
  const baseURL = `${server.url}/v1`;
  return {
    url: server.url,
    baseURL,
    key: first.key,
    keyId: first.keyId,
    dataDir,
    local,
    server,
    logs,
    client: (key = first.key) => new OpenAI({ baseURL, apiKey: key, maxRetries: 0 }),
    createKey,
    usageEvents: async () => {
      await server.idle();
      await local.usageSink.flush();
      return readUsageEvents(dataDir);
    },
    close: async () => {
      await server.close(0);
      await local.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads every NDJSON usage event under a data dir. */
export async function readUsageEvents(dataDir: string): Promise<UsageEvent[]> {
  const usageDir = join(dataDir, 'usage');
  let days: string[];
  try {
    days = await readdir(usageDir);
  } catch {
    return [];
  }
  const events: UsageEvent[] = [];
  for (const day of days) {
    for (const file of await readdir(join(usageDir, day))) {
      const text = await readFile(join(usageDir, day, file), 'utf8');
      for (const line of text.split('\n')) if (line.trim()) events.push(JSON.parse(line) as UsageEvent);
    }
  }
  return events;
}
