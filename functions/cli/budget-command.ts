import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Budget } from '../core/ports/key-store';
import { normalizedTag } from '../core/usage/tags';
import { openAdminStores, STORE_FLAGS, STORE_FLAGS_USAGE, storeLocationOf, type AdminStores } from './admin-stores';
import { alertPercentsOf, auditLevelOf, budgetOf } from './budget-flags';
import { dataDirOf, joinNegativeNumbers, UsageError, type CliIo } from './cli-io';
import { allBudgets, formatBudgetEntry, spendReport, tagBudget, teamBudget, type BudgetEntry } from './spend-report';

const USAGE = `Usage:
  switchyard budget set --team T [--usd 100] [--per-user-usd 5] [--period day|week|month|total]
                        [--audit none|metadata|full] [--json]
  switchyard budget set --key ID [--usd 5] [--per-user-usd 1] [--period day|week|month|total]
                        [--audit none|metadata|full] [--json]
  switchyard budget set --tag NAME=VALUE --usd 100 [--period day|week|month|total] [--json]
      (--per-user-usd: a budget for each distinct end user of the key or team — OpenAI \`user\`,
       Anthropic \`metadata.user_id\` or the x-switchyard-user header; --period applies to both)
      [--alerts 50,80,100]: alert thresholds, percent of the budget (default: the config's
       budgets.alerts, 50,80,100), each alerted once per period
      [--audit]: the audit level of the team's or key's requests (a key's own level wins over
       its team's; both over the config's audit.default)
  switchyard budget list [--json]        (every key, team and tag budget, spend and remaining)
  switchyard budget show --team T | --key ID | --tag NAME=VALUE [--user U] [--json]
      (--user: that end user's spend under the key's or team's per-user budget)
${STORE_FLAGS_USAGE}`;

type BudgetValues = {
  team?: string | undefined;
  key?: string | undefined;
  tag?: string | undefined;
  user?: string | undefined;
  usd?: string | undefined;
  'per-user-usd'?: string | undefined;
  period?: string | undefined;
  alerts?: string | undefined;
  audit?: string | undefined;
  json?: boolean | undefined;
} & Partial<Record<keyof typeof STORE_FLAGS, string>>;

/**
 * `switchyard budget …`: set the budget of a team (shared by its keys), of one key or of a tag
 * value (whatever the key), and the per-user budget of a key or a team; list every budget, or show
 * one, with its spend, reservations and remaining amount in the current period.
 */
export async function budgetCommand(args: string[], io: CliIo): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: joinNegativeNumbers(rest, ['--usd', '--per-user-usd']),
    options: {
      team: { type: 'string' },
      key: { type: 'string' },
      tag: { type: 'string' },
      user: { type: 'string' },
      usd: { type: 'string' },
      'per-user-usd': { type: 'string' },
      period: { type: 'string' },
      alerts: { type: 'string' },
      audit: { type: 'string' },
      json: { type: 'boolean', default: false },
      ...STORE_FLAGS,
    },
  });
  if (sub === 'list' || sub === 'show') return showBudgets(sub, values, io);
  if (sub !== 'set') throw new UsageError(USAGE);
  const subject = subjectOf(values, 'budget set');
  if (values.usd === undefined && values['per-user-usd'] === undefined && values.audit === undefined) throw new UsageError(`budget set needs --usd, --per-user-usd or --audit.\n${USAGE}`);
  const audit = auditLevelOf(values.audit);
  const alerts = alertPercentsOf(values.alerts);
  const withAlerts = (budget: Budget | undefined): Budget | undefined => (budget && alerts ? { ...budget, alerts } : budget);
  const budget = withAlerts(values.usd !== undefined ? budgetOf(values.usd, values.period) : undefined);
  const perUserBudget = withAlerts(values['per-user-usd'] !== undefined ? budgetOf(values['per-user-usd'], values.period) : undefined);
  if (subject.kind === 'tag' && perUserBudget) throw new UsageError(`--per-user-usd applies to a key or a team, not to a tag.\n${USAGE}`);
  if (subject.kind === 'tag' && audit) throw new UsageError(`--audit applies to a key or a team, not to a tag.\n${USAGE}`);
  if (subject.kind === 'tag' && !budget) throw new UsageError(`budget set --tag needs --usd.\n${USAGE}`);
  if (values.user !== undefined) throw new UsageError(`--user is for budget show.\n${USAGE}`);
  const stores = await openStores(values, io);
  const changed = { ...(budget ? { budget } : {}), ...(perUserBudget ? { perUserBudget } : {}), ...(audit ? { audit } : {}) };
  let described: string;
  if (subject.kind === 'team') {
    const existing = await stores.keys.findTeam(subject.name);
    await stores.keys.putTeam({ ...existing, team: subject.name, ...changed });
    described = `team ${subject.name}`;
  } else if (subject.kind === 'key') {
    const record = await stores.keys.get(subject.name);
    if (!record) throw new Error(`No key with id ${subject.name}.`);
    await stores.keys.replace({ ...record, ...changed });
    described = `key ${record.keyId}`;
  } else {
    await stores.keys.putTagBudget({ tag: subject.name, budget: budget as Budget });
    described = `tag ${subject.name}`;
  }
  const said = [
    budget ? `Budget of ${described}: $${budget.usd} per ${budget.period}` : undefined,
    perUserBudget ? `Budget of each end user of ${described}: $${perUserBudget.usd} per ${perUserBudget.period}` : undefined,
    audit ? `Audit level of ${described}: ${audit}` : undefined,
  ].filter(Boolean);
  const text = `${said.join('. ')} (${stores.where}).`;
  io.stdout((values.json ? JSON.stringify({ [subject.kind === 'key' ? 'keyId' : subject.kind]: subject.name, ...changed }) : text) + '\n');
}

/** The one budget owner named by `--team`, `--key` or `--tag` (a tag normalized as requests carry it). */
function subjectOf(values: BudgetValues, command: string): { kind: 'team' | 'key' | 'tag'; name: string } {
  const given = (['team', 'key', 'tag'] as const).filter((kind) => values[kind] !== undefined);
  if (given.length !== 1) throw new UsageError(`${command} needs exactly one of --team, --key and --tag.\n${USAGE}`);
  const kind = given[0] as 'team' | 'key' | 'tag';
  const name = values[kind] as string;
  if (kind !== 'tag') return { kind, name };
  const tag = normalizedTag(name);
  if (!tag) throw new UsageError(`--tag must be NAME=VALUE (a name of letters, digits and _.:- up to 64 characters, a value without commas), got '${name}'.`);
  return { kind, name: tag };
}

/** `budget list` (every budget) and `budget show --team T | --key ID | --tag NAME=VALUE [--user U]` (one owner's). */
async function showBudgets(sub: 'list' | 'show', values: BudgetValues, io: CliIo): Promise<void> {
  const subject = sub === 'show' ? subjectOf(values, 'budget show') : undefined;
  if (values.user !== undefined && (subject === undefined || subject.kind === 'tag')) throw new UsageError(`--user goes with budget show --key or --team.\n${USAGE}`);
  const stores = await openStores(values, io);
  const now = Date.now();
  let entries: BudgetEntry[];
  if (!subject) entries = await allBudgets(stores, now);
  else if (subject.kind === 'team') entries = await teamBudget(stores, subject.name, now, values.user);
  else if (subject.kind === 'tag') {
    const entry = await tagBudget(stores, subject.name, now);
    entries = entry ? [entry] : [];
  }
  else {
    const record = await stores.keys.get(subject.name);
    if (!record) throw new Error(`No key with id ${subject.name}.`);
    entries = (await spendReport(stores, record, now, values.user)).entries;
  }
  io.stdout((values.json ? JSON.stringify(entries) : entries.length === 0 ? 'No budget.' : entries.map(formatBudgetEntry).join('\n')) + '\n');
}

function openStores(values: BudgetValues, io: CliIo): Promise<AdminStores> {
  return openAdminStores(storeLocationOf(values, resolve(io.cwd, dataDirOf(values['data-dir'], io))));
}
