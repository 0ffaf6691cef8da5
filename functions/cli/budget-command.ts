import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { openAdminStores, STORE_FLAGS, STORE_FLAGS_USAGE, storeLocationOf } from './admin-stores';
import { budgetOf } from './budget-flags';
import { dataDirOf, joinNegativeNumbers, UsageError, type CliIo } from './cli-io';

const USAGE = `Usage:
  switchyard budget set --team T --usd 100 [--period day|week|month|total] [--json]
  switchyard budget set --key ID --usd 5 [--period day|week|month|total] [--json]
${STORE_FLAGS_USAGE}`;

/** `switchyard budget set …`: the budget of a team (shared by its keys) or of one key. */
export async function budgetCommand(args: string[], io: CliIo): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: joinNegativeNumbers(rest, ['--usd']),
    options: { team: { type: 'string' }, key: { type: 'string' }, usd: { type: 'string' }, period: { type: 'string' }, json: { type: 'boolean', default: false }, ...STORE_FLAGS },
  });
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
