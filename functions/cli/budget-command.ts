import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { openAdminStores, STORE_FLAGS, STORE_FLAGS_USAGE, storeLocationOf } from './admin-stores';
import { budgetOf } from './budget-flags';
import { dataDirOf, joinNegativeNumbers, UsageError, type CliIo } from './cli-io';
import { allBudgets, formatSpendEntry, spendReport, teamBudget, type SpendEntry } from './spend-report';

const USAGE = `Usage:
  switchyard budget set --team T --usd 100 [--period day|week|month|total] [--json]
  switchyard budget set --key ID --usd 5 [--period day|week|month|total] [--json]
  switchyard budget list [--json]                 (every key and team budget, spend and remaining)
  switchyard budget show --team T | --key ID [--json]
${STORE_FLAGS_USAGE}`;

/**
 * `switchyard budget …`: set the budget of a team (shared by its keys) or of one key; list every
 * budget, or show one, with its spend, reservations and remaining amount in the current period.
 */
export async function budgetCommand(args: string[], io: CliIo): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: joinNegativeNumbers(rest, ['--usd']),
    options: { team: { type: 'string' }, key: { type: 'string' }, usd: { type: 'string' }, period: { type: 'string' }, json: { type: 'boolean', default: false }, ...STORE_FLAGS },
  });
  if (sub === 'list' || sub === 'show') return showBudgets(sub, values, io);
  if (sub !== 'set') throw new UsageError(USAGE);
  if ((values.team === undefined) === (values.key === undefined)) throw new UsageError(`budget set needs exactly one of --team and --key.\n${USAGE}`);
  const budget = budgetOf(values.usd, values.period);
  if (!budget) throw new UsageError(`budget set needs --usd.\n${USAGE}`);
  const stores = await openAdminStores(storeLocationOf(values, resolve(io.cwd, dataDirOf(values['data-dir'], io))));
  let subject: string;
  if (values.team !== undefined) {
    await stores.keys.putTeam({ team: values.team, budget });
    subject = `team ${values.team}`;
  } else {
    const record = await stores.keys.get(values.key as string);
    if (!record) throw new Error(`No key with id ${values.key}.`);
    await stores.keys.replace({ ...record, budget });
    subject = `key ${record.keyId}`;
  }
  io.stdout((values.json ? JSON.stringify({ ...(values.team !== undefined ? { team: values.team } : { keyId: values.key }), budget }) : `Budget of ${subject}: $${budget.usd} per ${budget.period} (${stores.where}).`) + '\n');
}

/** `budget list` (every budget) and `budget show --team T | --key ID` (one key's or team's). */
async function showBudgets(sub: 'list' | 'show', values: { team?: string | undefined; key?: string | undefined; json?: boolean | undefined } & Partial<Record<keyof typeof STORE_FLAGS, string>>, io: CliIo): Promise<void> {
  if (sub === 'show' && (values.team === undefined) === (values.key === undefined)) throw new UsageError(`budget show needs exactly one of --team and --key.\n${USAGE}`);
  const stores = await openAdminStores(storeLocationOf(values, resolve(io.cwd, dataDirOf(values['data-dir'], io))));
  const now = Date.now();
  let entries: SpendEntry[];
  if (sub === 'list') entries = await allBudgets(stores, now);
  else if (values.team !== undefined) entries = [await teamBudget(stores, values.team, now)].filter((entry): entry is SpendEntry => entry !== undefined);
  else {
    const record = await stores.keys.get(values.key as string);
    if (!record) throw new Error(`No key with id ${values.key}.`);
    entries = (await spendReport(stores, record, now)).entries;
  }
  io.stdout((values.json ? JSON.stringify(entries) : entries.length === 0 ? 'No budget.' : entries.map(formatSpendEntry).join('\n')) + '\n');
}
