import { App, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observability } from '../../../lib/constructs/observability';
import { UsagePipeline } from '../../../lib/constructs/usage-pipeline';

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

/** Synthesises both constructs under AwsSolutions; returns whether synth threw and the report. */
function synthWithNag(acknowledgeStandIn: boolean): { threw: boolean; report: ValidationReport } {
  const outdir = mkdtempSync(join(tmpdir(), 'switchyard-nag-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'NagTest');
    // Stand-in for the gateway function, which its own construct owns and checks.
    const fn = new lambda.Function(stack, 'Gateway', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    if (acknowledgeStandIn) {
      Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: 'Test stand-in for the gateway function.' });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'Test stand-in for the gateway function.',
      });
    }
    const usage = new UsagePipeline(stack, 'Usage');
    usage.bindTo(fn);
    const table = new dynamodb.TableV2(stack, 'Spend', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } });
    new Observability(stack, 'Observability', { gatewayFunction: fn, usageStream: usage, tables: [table], providerModels: [{ provider: 'openai', model: 'gpt-4o' }], alarmEmail: 'ops@example.com' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let threw = false;
    try {
      app.synth();
    } catch {
      threw = true;
    }
    return { threw, report: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('usage pipeline and observability under cdk-nag AwsSolutions', () => {
  it('synthesises with no unacknowledged finding', () => {
    const { threw, report } = synthWithNag(true);

    expect(threw).toBe(false);
    for (const plugin of report.pluginReports) {
      expect({ plugin: plugin.pluginName, violations: plugin.violations }).toEqual({ plugin: plugin.pluginName, violations: [] });
    }
  });

  it('is really checked: findings on the unacknowledged stand-in fail synth, none is in these constructs', () => {
    const { threw, report } = synthWithNag(false);

    const paths = report.pluginReports
      .filter((plugin) => plugin.pluginName === 'AwsSolutions')
      .flatMap((plugin) => plugin.violations.flatMap((violation) => violation.violatingConstructs.map((construct) => construct.constructPath)));
    expect(threw).toBe(true);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((path) => path.startsWith('NagTest/Gateway/'))).toBe(true);
  });
});
