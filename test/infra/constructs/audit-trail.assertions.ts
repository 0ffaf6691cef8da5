import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AuditTrail, type AuditTrailProps } from '../../../lib/constructs/audit-trail';
import { UsagePipeline } from '../../../lib/constructs/usage-pipeline';
import { AUDIT_QUERIES } from '../../../functions/core/audit/audit-queries';
import { AUDIT_COLUMNS } from '../../../functions/core/audit/audit-schema';
import { namedQueryName } from '../../../functions/core/reports/report-queries';

function synth(props: Partial<AuditTrailProps> = {}) {
  const stack = new Stack(new App(), 'Test');
  const usage = new UsagePipeline(stack, 'Usage');
  const audit = new AuditTrail(stack, 'Audit', { database: usage.database, workgroup: usage.workgroup, accessLogsBucket: usage.accessLogsBucket, ...props });
  const fn = new lambda.Function(stack, 'Gateway', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
  audit.bindTo(fn);
  const id = (construct: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, usage, audit, fn, id, template: Template.fromStack(stack) };
}

describe('AuditTrail', () => {
  const { stack, usage, audit, fn, id, template } = synth();

  it('keeps records in their own versioned, KMS-encrypted, TLS-only bucket with a retention lifecycle and access logs', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [id(audit.key), 'Arn'] } } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(usage.accessLogsBucket) }, LogFilePrefix: 'audit-bucket/' },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'audit/', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]) },
      ObjectLockEnabled: Match.absent(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(audit.bucket) },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('locks objects against deletion when asked (tamper evidence), with the retention chosen', () => {
    const locked = synth({ retentionDays: 2555, objectLock: { mode: 'COMPLIANCE', days: 2555 } });
    locked.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } } },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'audit/', ExpirationInDays: 2555 })]) },
    });
  });

  it('delivers through its own Firehose stream, encrypted with the audit key, GZIP JSON under audit/dt=YYYY-MM-DD/', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: { 'Fn::GetAtt': [id(audit.key), 'Arn'] } },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [id(audit.bucket), 'Arn'] },
        Prefix: 'audit/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: Match.stringLikeRegexp('^audit-errors/'),
        CompressionFormat: 'GZIP',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [id(audit.key), 'Arn'] } } },
      }),
    });
  });

  it('declares the audit table beside the usage table, every record field a column, dt projected', () => {
    const tables = template.findResources('AWS::Glue::Table', { Properties: { TableInput: { Name: 'audit_records' } } });
    const table = Object.values(tables)[0];
    const input = table?.Properties.TableInput;
    expect(table?.Properties.DatabaseName).toEqual({ Ref: id(usage.database) });
    expect((input.StorageDescriptor.Columns as { Name: string }[]).map((column) => column.Name)).toEqual(AUDIT_COLUMNS.map((column) => column.name));
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(input.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(input.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date', 'projection.dt.range': 'NOW-365DAYS,NOW+1DAYS' });
  });

  it('holds the audit show and search queries in the usage workgroup, reading the audit table', () => {
    for (const query of Object.values(AUDIT_QUERIES)) {
      const found = Object.values(template.findResources('AWS::Athena::NamedQuery', { Properties: { Name: namedQueryName(query) } }));
      expect(found).toHaveLength(1);
      expect(found[0]?.Properties.WorkGroup).toEqual({ Ref: stack.getLogicalId(usage.workgroup) });
      expect(JSON.stringify(found[0]?.Properties.QueryString)).toContain(`{"Ref":"${id(usage.database)}"},"\\".\\"",{"Ref":"${id(audit.table)}"}`);
    }
  });

  it('lets the gateway put records on the audit stream, and nothing more, and tells it the stream name', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(fn.role as never) }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: { 'Fn::GetAtt': [id(audit.deliveryStream), 'Arn'] } }] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { SWITCHYARD_AUDIT_STREAM_NAME: { Ref: id(audit.deliveryStream) } } } });
  });
});
