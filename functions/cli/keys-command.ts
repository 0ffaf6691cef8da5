import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createKeyRecord, rotateKeyRecord } from '../core/keys/new-key';
import type { KeyAdminStore, KeyRecord } from '../core/ports/key-store';
import { openAdminStores, STORE_FLAGS, STORE_FLAGS_USAGE, storeLocationOf } from './admin-stores';
import { auditLevelOf, budgetOf, expiryOf, graceUntilOf, positiveIntOf } from './budget-flags';
import { dataDirOf, joinNegativeNumbers, UsageError, type CliIo } from './cli-io';
import { spendReport } from './spend-report';
import { parseConfigText } from '../providers/config';

const USAGE = `Usage:
  switchyard keys create --name NAME [--team T] [--models a,b] [--budget USD] [--period day|week|month|total]
                        [--rpm N] [--tpm N] [--expires DATE] [--audit none|metadata|full]
                        [--config FILE] [--json]
                        (--audit: this key's audit level; default its team's, else the config's
                        audit.default)
                        (--models is checked against --config, default switchyard.config.json, or
                        switchyard.aws.config.json with --stack)
  switchyard keys list [--json]
  switchyard keys show ID [--json]
  switchyard keys revoke ID [--json]
  switchyard keys rotate ID [--grace 24h] [--json]
                        (--grace keeps the old key working that long, so clients can roll over)
${STORE_FLAGS_USAGE}`;

/** `switchyard keys …` on the local data dir. */
export async function keysCommand(args: string[], io: CliIo): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(rest, ['--budget', '--rpm', '--tpm']),
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      team: { type: 'string' },
      models: { type: 'string' },
      budget: { type: 'string' },
      period: { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      expires: { type: 'string' },
      grace: { type: 'string' },
      audit: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      ...STORE_FLAGS,
    },
  });
  const stores = await openAdminStores(storeLocationOf(values, resolve(io.cwd, dataDirOf(values['data-dir'], io))));
  const store: KeyAdminStore = stores.keys;
  const print = (value: unknown, text: string): void => io.stdout((values.json ? JSON.stringify(value) : text) + '\n');
  switch (sub) {
    case 'create': {
      if (!values.name) throw new UsageError(`keys create needs --name\n${USAGE}`);
      const models = values.models?.split(',').map((model) => model.trim()).filter(Boolean);
      if (models) warnUnknownAliases(models, values.config ?? defaultConfigFile(values.stack !== undefined), io);
      const { key, record } = await createKeyRecord(
        {
          name: values.name,
          team: values.team,
          models,
          budget: budgetOf(values.budget, values.period),
          rpm: positiveIntOf('rpm', values.rpm),
          tpm: positiveIntOf('tpm', values.tpm),
          expiresAt: expiryOf(values.expires, Date.now()),
          audit: auditLevelOf(values.audit),
        },
        new Date(),
      );
      await store.put(record);
      print({ ...publicView(record), key }, `Created key ${record.keyId} (${record.name}).\n${key}\nStore it now: it is shown only once.`);
      return;
    }
    case 'list': {
      const records = await store.list();
      print(records.map(publicView), records.length === 0 ? 'No keys.' : table(records));
      return;
    }
    case 'show': {
      const record = await existing(store, positionals[0]);
      const report = await spendReport(stores, record, Date.now());
      print({ ...publicView(record), spend: report.entries }, report.text);
      return;
    }
    case 'revoke': {
      const record = await existing(store, positionals[0]);
      const revoked = { ...record, revoked: true };
      await store.replace(revoked);
      print(publicView(revoked), `Revoked ${record.keyId} (${record.name}).`);
      return;
    }
    case 'rotate': {
      const record = await existing(store, positionals[0]);
      // A revoked key stays revoked: rotating would hand out a working key for it (DESIGN §4).
      if (record.revoked) throw new UsageError(`Key ${record.keyId} is revoked and cannot be rotated; create a new key instead.`);
      const graceUntil = graceUntilOf(values.grace, Date.now());
      const rotated = await rotateKeyRecord(record);
      await store.replace(rotated.record, graceUntil ? { graceUntil } : {});
      const old = graceUntil ? `the old key keeps working until ${graceUntil}` : 'the old key no longer works';
      print({ ...publicView(rotated.record), key: rotated.key, ...(graceUntil ? { oldKeyValidUntil: graceUntil } : {}) }, `Rotated ${record.keyId}; ${old}.\n${rotated.key}\nStore it now: it is shown only once.`);
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}

/** The config `keys create --models` is checked against: the one `npm start` or `cdk deploy` uses. */
function defaultConfigFile(deployed: boolean): string {
  return deployed ? 'switchyard.aws.config.json' : 'switchyard.config.json';
}

/**
 * Warns (on stderr; the key is still created, aliases may be added to the config later) about
 * `--models` aliases the config does not define: such a key would get 404 for them.
 */
function warnUnknownAliases(models: readonly string[], configPath: string, io: CliIo): void {
  const path = resolve(io.cwd, configPath);
  if (!existsSync(path)) return;
  const aliases = Object.keys(parseConfigText(readFileSync(path, 'utf8')).models);
  const unknown = models.filter((model) => !aliases.includes(model));
  if (unknown.length > 0) io.stderr(`warning: --models names aliases that ${configPath} does not define: ${unknown.join(', ')} (requests for them get 404 until they are configured).\n`);
}

async function existing(store: KeyAdminStore, keyId: string | undefined): Promise<KeyRecord> {
  if (!keyId) throw new UsageError('Give the key id (key_…); see `switchyard keys list`.');
  const record = await store.get(keyId);
  if (!record) throw new Error(`No key with id ${keyId}.`);
  return record;
}

/** A key record without its hash: what listings show. */
function publicView(record: KeyRecord): Omit<KeyRecord, 'keyHash'> {
  const { keyHash: _hash, ...rest } = record;
  return rest;
}

function table(records: KeyRecord[]): string {
  const rows = records.map((r) => [r.keyId, r.name, r.team ?? '-', r.models?.join(',') ?? '*', r.revoked ? 'revoked' : 'active', `…${r.hint ?? ''}`, r.createdAt]);
  const header = ['KEY ID', 'NAME', 'TEAM', 'MODELS', 'STATUS', 'ENDS', 'CREATED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
