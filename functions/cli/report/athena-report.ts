import {
  BatchGetNamedQueryCommand,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  paginateGetQueryResults,
  paginateListNamedQueries,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { namedQueryName, type ReportQuery } from '../../core/reports/report-queries';
import { StackOutput } from '../../deployment-names';
import type { ReportArguments, ReportCell, ReportResult } from './report-result';

/** Where a deployed stack keeps its usage data. */
export interface AthenaTarget {
  workgroup: string;
  database: string;
}

/** Reads the workgroup and database names from the outputs of stack `stackName`. */
export async function resolveAthenaTarget(cloudFormation: Pick<CloudFormationClient, 'send'>, stackName: string): Promise<AthenaTarget> {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map((Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
  const workgroup = outputs.get(StackOutput.UsageWorkgroup);
  const database = outputs.get(StackOutput.UsageDatabase);
  if (!workgroup || !database) {
    throw new Error(`stack ${stackName} has no ${StackOutput.UsageWorkgroup}/${StackOutput.UsageDatabase} outputs; is the usage pipeline deployed?`);
  }
  return { workgroup, database };
}

/** Options of {@link runAthenaReport}. */
export interface AthenaReportOptions {
  athena: AthenaClient;
  target: AthenaTarget;
  /** Waits between status polls (injectable for tests). */
  sleep?: (ms: number) => Promise<void>;
}

const TERMINAL_STATES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const NUMERIC_TYPES = new Set(['tinyint', 'smallint', 'integer', 'bigint', 'double', 'float', 'real', 'decimal']);

/**
 * Runs the stack's named query for `query` in its workgroup — the deployed text, which the
 * stack generated from the same source as the local reports — and returns the rows.
 * Parameters are passed as Athena `ExecutionParameters` (SQL literals).
 */
export async function runAthenaReport(query: ReportQuery, args: ReportArguments, options: AthenaReportOptions): Promise<ReportResult> {
  const { athena, target } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const queryString = await findNamedQuery(athena, target.workgroup, namedQueryName(query));
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: queryString,
      WorkGroup: target.workgroup,
      QueryExecutionContext: { Database: target.database },
      ExecutionParameters: query.parameters.map((name) => `'${(args[name] ?? '').replace(/'/g, "''")}'`),
    }),
  );
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State ?? 'QUEUED';
    if (state === 'SUCCEEDED') break;
    if (TERMINAL_STATES.has(state)) {
      throw new Error(`Athena query ${QueryExecutionId} ${state}: ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`);
    }
    await sleep(delay);
  }
  return readResults(athena, QueryExecutionId as string);
}

async function findNamedQuery(athena: AthenaClient, workgroup: string, name: string): Promise<string> {
  for await (const page of paginateListNamedQueries({ client: athena }, { WorkGroup: workgroup })) {
    const ids = page.NamedQueryIds ?? [];
    if (ids.length === 0) continue;
    const { NamedQueries } = await athena.send(new BatchGetNamedQueryCommand({ NamedQueryIds: ids }));
    const found = NamedQueries?.find((candidate) => candidate.Name === name);
    if (found?.QueryString) return found.QueryString;
  }
  throw new Error(`named query ${name} not found in workgroup ${workgroup}`);
}

async function readResults(athena: AthenaClient, queryExecutionId: string): Promise<ReportResult> {
  let columns: string[] = [];
  let numeric: boolean[] = [];
  const rows: Record<string, ReportCell>[] = [];
  let header = true;
  for await (const page of paginateGetQueryResults({ client: athena }, { QueryExecutionId: queryExecutionId })) {
    const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    if (columns.length === 0) {
      columns = info.map((column) => column.Name ?? '');
      numeric = info.map((column) => NUMERIC_TYPES.has((column.Type ?? '').toLowerCase()));
    }
    for (const row of page.ResultSet?.Rows ?? []) {
      // The first row of a SELECT result is the header.
      if (header) {
        header = false;
        continue;
      }
      const data = row.Data ?? [];
      rows.push(
        Object.fromEntries(
          columns.map((column, index) => {
            const text = data[index]?.VarCharValue;
            return [column, text === undefined ? null : numeric[index] ? Number(text) : text];
          }),
        ),
      );
    }
  }
  return { columns, rows };
}
