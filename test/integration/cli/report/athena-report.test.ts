import { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveAthenaTarget, runAthenaReport } from '../../../../functions/cli/report/athena-report';
import { AUDIT_QUERIES } from '../../../../functions/core/audit/audit-queries';
import { runCli } from '../../../../functions/cli/main';
import { REPORT_QUERIES, namedQueryName, renderReportSql } from '../../../../functions/core/reports/report-queries';
import { startFakeCloudFormation, type FakeCloudFormation } from '../../../helpers/fake-cloudformation';

type Handler = (body: Record<string, unknown>) => unknown;

/** A fake Athena speaking AWS JSON 1.1 (`X-Amz-Target: AmazonAthena.<Operation>`). */
async function startFakeAthena(handlers: Record<string, Handler>): Promise<{ url: string; calls: { operation: string; body: Record<string, unknown> }[]; close: () => Promise<void> }> {
  const calls: { operation: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '');
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({ operation, body });
      const handler = handlers[operation];
      res.writeHead(handler ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(handler ? handler(body) : { __type: 'InvalidRequestException', Message: operation }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const query = REPORT_QUERIES['spend-by-team'];
const deployedSql = renderReportSql(query, '"switchyard_usage"."usage_events"');
const target = { workgroup: 'switchyard-prod', database: 'switchyard_usage' };
const noWait = async (): Promise<void> => undefined;

function athenaHandlers(finalState: 'SUCCEEDED' | 'FAILED'): Record<string, Handler> {
  let polls = 0;
  return {
    ListNamedQueries: (body) => (body.NextToken ? { NamedQueryIds: ['q3'] } : { NamedQueryIds: ['q1', 'q2'], NextToken: 'page-2' }),
    BatchGetNamedQuery: (body) => ({
      NamedQueries: (body.NamedQueryIds as string[]).map((id) => ({
        NamedQueryId: id,
        Name: id === 'q3' ? 'switchyard-spend-by-team' : `other-${id}`,
        Database: 'switchyard_usage',
        QueryString: id === 'q3' ? deployedSql : 'SELECT 1',
      })),
      UnprocessedNamedQueryIds: [],
    }),
    StartQueryExecution: () => ({ QueryExecutionId: 'exec-1' }),
    GetQueryExecution: () => {
      polls += 1;
      const state = polls < 2 ? 'RUNNING' : finalState;
      return { QueryExecution: { QueryExecutionId: 'exec-1', Status: { State: state, StateChangeReason: state === 'FAILED' ? 'Bytes scanned limit was exceeded' : undefined } } };
    },
    GetQueryResults: () => ({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'team', Type: 'varchar' },
            { Name: 'requests', Type: 'bigint' },
            { Name: 'cost_usd', Type: 'double' },
          ],
        },
        Rows: [
          { Data: [{ VarCharValue: 'team' }, { VarCharValue: 'requests' }, { VarCharValue: 'cost_usd' }] },
          { Data: [{ VarCharValue: 'search' }, { VarCharValue: '120' }, { VarCharValue: '3.5' }] },
          { Data: [{}, { VarCharValue: '7' }, { VarCharValue: '0.01' }] },
        ],
      },
    }),
  };
}

let fake: Awaited<ReturnType<typeof startFakeAthena>> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const client = (url: string): AthenaClient =>
  new AthenaClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

describe('runAthenaReport', () => {
  it('runs the deployed named query in the workgroup with the period as execution parameters', async () => {
    fake = await startFakeAthena(athenaHandlers('SUCCEEDED'));

    const result = await runAthenaReport(query, { since: '2026-03-01', until: '2026-03-31' }, { athena: client(fake.url), target, sleep: noWait });

    const start = fake.calls.find((call) => call.operation === 'StartQueryExecution');
    expect(start?.body).toMatchObject({
      QueryString: deployedSql,
      WorkGroup: 'switchyard-prod',
      QueryExecutionContext: { Database: 'switchyard_usage' },
      ExecutionParameters: ["'2026-03-01'", "'2026-03-31'"],
    });
    expect(result).toEqual({
      columns: ['team', 'requests', 'cost_usd'],
      rows: [
        { team: 'search', requests: 120, cost_usd: 3.5 },
        { team: null, requests: 7, cost_usd: 0.01 },
      ],
    });
  });

  it('reports why a query failed', async () => {
    fake = await startFakeAthena(athenaHandlers('FAILED'));

    await expect(runAthenaReport(query, { since: '2026-03-01', until: '2026-03-31' }, { athena: client(fake.url), target, sleep: noWait })).rejects.toThrow(
      /FAILED: Bytes scanned limit was exceeded/,
    );
  });

  it('fails clearly when the workgroup has no such named query', async () => {
    fake = await startFakeAthena({ ...athenaHandlers('SUCCEEDED'), ListNamedQueries: () => ({ NamedQueryIds: [] }) });

    await expect(runAthenaReport(query, { since: '2026-03-01', until: '2026-03-31' }, { athena: client(fake.url), target, sleep: noWait })).rejects.toThrow(
      'named query switchyard-spend-by-team not found in workgroup switchyard-prod',
    );
  });
});

describe('resolveAthenaTarget', () => {
  const stack = (outputs: { OutputKey: string; OutputValue: string }[]): Pick<CloudFormationClient, 'send'> =>
    ({ send: async () => ({ Stacks: [{ Outputs: outputs }] }) }) as unknown as Pick<CloudFormationClient, 'send'>;

  it('reads the workgroup and database from the stack outputs', async () => {
    const resolved = await resolveAthenaTarget(
      stack([
        { OutputKey: 'UsageWorkgroupName', OutputValue: 'switchyard-prod' },
        { OutputKey: 'UsageDatabaseName', OutputValue: 'switchyard_usage' },
      ]),
      'Switchyard',
    );

    expect(resolved).toEqual(target);
  });

  it('names the missing outputs', async () => {
    await expect(resolveAthenaTarget(stack([]), 'Switchyard')).rejects.toThrow(/UsageWorkgroupName/);
  });
});

describe('switchyard audit --stack', () => {
  const search = AUDIT_QUERIES['audit-search'];
  const deployedSearch = renderReportSql(search, '"switchyard_usage"."audit_records"');
  const saved = { ...process.env };
  let cloudFormation: FakeCloudFormation | undefined;
  afterEach(async () => {
    process.env = { ...saved };
    await cloudFormation?.close();
    cloudFormation = undefined;
  });

  it('runs the stack’s audit search named query with the filters as execution parameters, through the CLI', async () => {
    fake = await startFakeAthena({
      ...athenaHandlers('SUCCEEDED'),
      ListNamedQueries: () => ({ NamedQueryIds: ['a1'] }),
      BatchGetNamedQuery: () => ({ NamedQueries: [{ NamedQueryId: 'a1', Name: namedQueryName(search), Database: 'switchyard_usage', QueryString: deployedSearch }], UnprocessedNamedQueryIds: [] }),
      GetQueryResults: () => ({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: [{ Name: 'request_id', Type: 'varchar' }, { Name: 'team', Type: 'varchar' }, { Name: 'http_status', Type: 'bigint' }] },
          Rows: [{ Data: [{ VarCharValue: 'request_id' }, { VarCharValue: 'team' }, { VarCharValue: 'http_status' }] }, { Data: [{ VarCharValue: 'req_1' }, { VarCharValue: 'legal' }, { VarCharValue: '200' }] }],
        },
      }),
    });
    cloudFormation = await startFakeCloudFormation({ Switchyard: { UsageWorkgroupName: 'switchyard-prod', UsageDatabaseName: 'switchyard_usage' } });
    Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_ATHENA: fake.url, AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url });
    let stdout = '';
    let stderr = '';

    const code = await runCli(['audit', 'search', '--team', 'legal', '--tag', 'feature=search', '--since', '2026-11-01', '--until', '2026-11-30', '--format', 'json', '--stack', 'Switchyard'], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, cwd: process.cwd() });

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(fake.calls.find((call) => call.operation === 'StartQueryExecution')?.body).toMatchObject({
      QueryString: deployedSearch,
      WorkGroup: 'switchyard-prod',
      ExecutionParameters: ["'2026-11-01'", "'2026-11-30'", "''", "''", "'legal'", "'legal'", "'feature'", "'feature'", "'search'"],
    });
    expect(JSON.parse(stdout)).toEqual([{ request_id: 'req_1', team: 'legal', http_status: 200 }]);
  });
});
