import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLI_TIMEOUTS, sdkClientConfig } from '../adapters/aws/sdk-client-config';
import { DynamoKeyStore } from '../adapters/aws/dynamo-key-store';
import { DynamoSpendStore } from '../adapters/aws/dynamo-spend-store';
import { openLocalDatabase } from '../adapters/local/sqlite/database';
import { SqliteKeyStore } from '../adapters/local/sqlite/key-store';
import { SqliteSpendStore } from '../adapters/local/sqlite/spend-store';
import type { KeyAdminStore } from '../core/ports/key-store';
import type { SpendStore } from '../core/ports/spend-store';
import { StackOutput } from '../deployment-names';


/** Where the admin commands find keys and spend: the local data dir, or a deployed stack. */
export interface StoreLocation {
  /** Absolute data dir, used when neither `stack` nor table names are given. */
  dataDir: string;
  /** CloudFormation stack whose outputs name the tables. */
  stack?: string;
  /** Table names given directly (e.g. against DynamoDB Local), instead of a stack. */
  keysTable?: string;
  spendTable?: string;
  /** DynamoDB endpoint override (`--endpoint-url`, e.g. DynamoDB Local). */
  endpointUrl?: string;
  region?: string;
}

/** The stores an admin command works on, and a description of where they are. */
export interface AdminStores {
  keys: KeyAdminStore;
  spend: SpendStore;
  where: string;
}

/**
 * Opens the stores of `location`. With a stack, the table names come from its outputs and AWS
 * credentials from the SDK's standard chain (environment, profile, SSO, instance role).
 */
export async function openAdminStores(location: StoreLocation): Promise<AdminStores> {
  if (location.stack === undefined && location.keysTable === undefined && location.spendTable === undefined) {
    const db = openLocalDatabase(location.dataDir);
    return { keys: new SqliteKeyStore(db), spend: new SqliteSpendStore(db), where: location.dataDir };
  }
  const region = location.region;
  let { keysTable, spendTable } = location;
  if (location.stack !== undefined && (keysTable === undefined || spendTable === undefined)) {
    const outputs = await stackOutputs(location.stack, region);
    keysTable ??= outputs.get(StackOutput.KeysTable);
    spendTable ??= outputs.get(StackOutput.SpendTable);
  }
  if (keysTable === undefined || spendTable === undefined) {
    throw new Error(
      location.stack !== undefined
        ? `Stack ${location.stack} has no ${StackOutput.KeysTable}/${StackOutput.SpendTable} outputs; is it a Switchyard stack?`
        : 'Give both --keys-table and --spend-table, or --stack NAME.',
    );
  }
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...sdkClientConfig(CLI_TIMEOUTS), ...(region ? { region } : {}), ...(location.endpointUrl ? { endpoint: location.endpointUrl } : {}) }),
  );
  return {
    keys: new DynamoKeyStore(client, keysTable),
    spend: new DynamoSpendStore(client, spendTable),
    where: location.stack !== undefined ? `stack ${location.stack}` : `tables ${keysTable}, ${spendTable}`,
  };
}

async function stackOutputs(stack: string, region: string | undefined): Promise<Map<string, string>> {
  const client = new CloudFormationClient({ ...sdkClientConfig(CLI_TIMEOUTS), ...(region ? { region } : {}) });
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = new Map<string, string>();
    for (const output of Stacks?.[0]?.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue) outputs.set(output.OutputKey, output.OutputValue);
    }
    return outputs;
  } finally {
    client.destroy();
  }
}

/** `parseArgs` options every keys/budget command accepts to choose its stores. */
export const STORE_FLAGS = {
  'data-dir': { type: 'string' },
  stack: { type: 'string' },
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  'keys-table': { type: 'string' },
  'spend-table': { type: 'string' },
} as const;

/** Usage text of {@link STORE_FLAGS}. */
export const STORE_FLAGS_USAGE = 'Stores: [--data-dir DIR] | [--stack NAME] [--region R] [--endpoint-url URL] [--keys-table T --spend-table T]';

/** The store location chosen by the parsed {@link STORE_FLAGS}; relative data dirs resolve against `cwd`. */
export function storeLocationOf(values: Partial<Record<keyof typeof STORE_FLAGS, string>>, dataDir: string): StoreLocation {
  return {
    dataDir,
    ...(values.stack !== undefined ? { stack: values.stack } : {}),
    ...(values['endpoint-url'] !== undefined ? { endpointUrl: values['endpoint-url'] } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values['keys-table'] !== undefined ? { keysTable: values['keys-table'] } : {}),
    ...(values['spend-table'] !== undefined ? { spendTable: values['spend-table'] } : {}),
  };
}
