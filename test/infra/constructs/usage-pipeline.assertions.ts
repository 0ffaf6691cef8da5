import { App, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { UsagePipeline } from '../../../lib/constructs/usage-pipeline';
import { REPORT_QUERIES, namedQueryName, renderReportSql } from '../../../functions/core/reports/report-queries';

function synth(props: ConstructorParameters<typeof UsagePipeline>[2] = {}) {
  const stack = new Stack(new App(), 'Test');
  const usage = new UsagePipeline(stack, 'Usage', props);
  const fn = new lambda.Function(stack, 'Gateway', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
  usage.bindTo(fn);
  return { stack, usage, template: Template.fromStack(stack) };
}

/** Resolves an `Fn::Join` of literal strings and `Ref`s, naming each Ref `<LogicalId>`. */
function joined(value: unknown): string {
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1].map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join(join[0]);
}

describe('UsagePipeline', () => {
  const { stack, usage, template } = synth();
  const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

  it('keeps usage in an encrypted, TLS-only, private bucket with access logs and a lifecycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(usage.accessLogsBucket) } },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'usage/', ExpirationInDays: 730, Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }], Status: 'Enabled' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(usage.bucket) },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('delivers with Firehose to usage/dt=YYYY-MM-DD/ as Parquet using the Glue table schema', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [id(usage.bucket), 'Arn'] },
        Prefix: 'usage/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: Match.stringLikeRegexp('^usage-errors/'),
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 128 },
        DataFormatConversionConfiguration: {
          Enabled: true,
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
          SchemaConfiguration: Match.objectLike({ DatabaseName: { Ref: id(usage.database) }, TableName: { Ref: id(usage.table) }, VersionId: 'LATEST' }),
        },
      }),
    });
  });

  it('declares the Glue table with every usage field and projects the dt partition', () => {
    const tables = template.findResources('AWS::Glue::Table');
    const input = Object.values(tables)[0]?.Properties.TableInput;
    const columns = Object.fromEntries((input.StorageDescriptor.Columns as { Name: string; Type: string }[]).map((c) => [c.Name, c.Type]));

    expect(Object.keys(columns)).toHaveLength(29);
    expect(columns).toMatchObject({ request_id: 'string', tags: 'map<string,string>', stream: 'boolean', cost_usd: 'double', cost_micro_usd: 'bigint', ttft_ms: 'bigint', overhead_ms: 'double' });
    expect(input.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(input.StorageDescriptor.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': 'NOW-730DAYS,NOW+1DAYS',
    });
    expect(joined(input.Parameters['storage.location.template'])).toBe(`s3://<${id(usage.bucket)}>/usage/dt=\${dt}/`);
  });

  it('limits the Athena workgroup and enforces its result location', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } }),
      },
    });
    const workgroup = Object.values(template.findResources('AWS::Athena::WorkGroup'))[0];
    expect(joined(workgroup?.Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation)).toBe(`s3://<${id(usage.resultsBucket)}>/results/`);
  });

  it('creates one named query per report with the report SQL over the Glue table', () => {
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((resource) => resource.Properties);
    const source = `"<${id(usage.database)}>"."<${id(usage.table)}>"`;

    expect(queries.map((query) => query.Name).sort()).toEqual(Object.values(REPORT_QUERIES).map(namedQueryName).sort());
    for (const report of Object.values(REPORT_QUERIES)) {
      const named = queries.find((query) => query.Name === namedQueryName(report));
      expect(joined(named?.QueryString)).toBe(renderReportSql(report, source));
      expect(named?.WorkGroup).toEqual({ Ref: stack.getLogicalId(usage.workgroup) });
    }
  });

  it('binds a function: PutRecordBatch on the stream and the stream name in its environment', () => {
    const streamId = id(usage.deliveryStream);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['firehose:PutRecordBatch']), Resource: { 'Fn::GetAtt': [streamId, 'Arn'] } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { USAGE_STREAM_NAME: { Ref: streamId } } } });
  });

  it('takes the scan limit and retention from props', () => {
    const custom = synth({ bytesScannedCutoffPerQuery: Size.gibibytes(1), retentionDays: 90, infrequentAccessAfterDays: 30 }).template;

    custom.hasResourceProperties('AWS::Athena::WorkGroup', { WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 1024 ** 3 }) });
    custom.hasResourceProperties('AWS::Glue::Table', { TableInput: Match.objectLike({ Parameters: Match.objectLike({ 'projection.dt.range': 'NOW-90DAYS,NOW+1DAYS' }) }) });
    custom.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'usage/', ExpirationInDays: 90, Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }] })]) },
    });
  });
});
