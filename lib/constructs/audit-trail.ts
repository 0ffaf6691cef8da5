import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import type * as athena from 'aws-cdk-lib/aws-athena';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AUDIT_QUERIES } from '../../functions/core/audit/audit-queries';
import { AUDIT_COLUMNS } from '../../functions/core/audit/audit-schema';
import { USAGE_PARTITION_COLUMN } from '../../functions/core/usage/usage-schema';
import { FunctionEnv } from '../../functions/deployment-names';
import { acknowledgeFirehoseS3Grants, dayPartitionedTable, namedQueries } from './usage-pipeline';

/** Props of {@link AuditTrail}. */
export interface AuditTrailProps {
  /** The usage pipeline's Glue database: the audit table sits beside the usage table, so one query joins them on `request_id`. */
  readonly database: glue.Database;
  /** The usage workgroup, which holds the audit named queries too. */
  readonly workgroup: athena.CfnWorkGroup;
  /** Bucket of the S3 server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Days audit records are kept. @default 365 */
  readonly retentionDays?: number;
  /** S3 Object Lock for tamper evidence; only honoured when the bucket is created. */
  readonly objectLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; days: number };
  /** How long Firehose buffers before writing an object. @default 5 minutes */
  readonly bufferingInterval?: Duration;
  /** Removal policy of the key, bucket and table. @default RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/** S3 prefix of the audit objects; the Glue table location and the Firehose prefix agree on it. */
const AUDIT_PREFIX = 'audit/';

/**
 * The audit trail on AWS (DESIGN §5 "Audit log"): its own Firehose stream writes the gateway's
 * audit records, GZIP JSON, to its own bucket under `audit/dt=YYYY-MM-DD/`, encrypted with its own
 * KMS key (rotated yearly), versioned, kept `retentionDays` by a lifecycle rule and optionally
 * locked (S3 Object Lock); the Glue table `audit_records` (JSON SerDe, `dt` projected) sits in the
 * usage database so Athena joins audit records and usage events on `request_id`, and the
 * `switchyard audit show` / `audit search` queries are named queries of the usage workgroup.
 * Reading the records takes `kms:Decrypt` on the key besides Athena access.
 *
 * @example
 * const audit = new AuditTrail(this, 'Audit', { database: usage.database, workgroup: usage.workgroup, accessLogsBucket: usage.accessLogsBucket });
 * audit.bindTo(gatewayFunction);
 */
export class AuditTrail extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly table: glue.S3Table;
  readonly deliveryStream: firehose.DeliveryStream;
  readonly namedQueries: athena.CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retentionDays = props.retentionDays ?? 365;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.key = new kms.Key(this, 'Key', {
      description: 'Switchyard audit trail: S3 objects and the Firehose stream',
      enableKeyRotation: true,
      removalPolicy,
    });
    const lock = props.objectLock;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versions keep an overwritten or deleted record recoverable; Object Lock requires them.
      versioned: true,
      objectLockEnabled: lock ? true : undefined,
      objectLockDefaultRetention: lock && (lock.mode === 'COMPLIANCE' ? s3.ObjectLockRetention.compliance(Duration.days(lock.days)) : s3.ObjectLockRetention.governance(Duration.days(lock.days))),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'audit-bucket/',
      removalPolicy,
      autoDeleteObjects: false,
      lifecycleRules: [
        { id: 'audit-retention', prefix: AUDIT_PREFIX, expiration: Duration.days(retentionDays), noncurrentVersionExpiration: Duration.days(30) },
        { id: 'firehose-errors', prefix: 'audit-errors/', expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    this.table = dayPartitionedTable(this, 'Table', {
      database: props.database,
      tableName: 'audit_records',
      description: 'Audit records (request and response payloads by audit level), GZIP JSON, partitioned by UTC delivery day (dt).',
      bucket: this.bucket,
      prefix: AUDIT_PREFIX,
      dataFormat: glue.DataFormat.JSON,
      columns: AUDIT_COLUMNS,
      retentionDays,
      removalPolicy,
    });

    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', {
      encryption: firehose.StreamEncryption.customerManagedKey(this.key),
      destination: new firehose.S3Bucket(this.bucket, {
        dataOutputPrefix: `${AUDIT_PREFIX}${USAGE_PARTITION_COLUMN}=!{timestamp:yyyy-MM-dd}/`,
        errorOutputPrefix: 'audit-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        bufferingInterval: props.bufferingInterval ?? Duration.minutes(5),
        bufferingSize: Size.mebibytes(64),
        compression: firehose.Compression.GZIP,
        encryptionKey: this.key,
      }),
    });
    acknowledgeFirehoseS3Grants(this.deliveryStream, this.bucket, 'audit');
    // Server-side encryption of the stream with the key: the L2's service role gets its data-key actions.
    for (const finding of ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*']) {
      Validations.of(this.deliveryStream.node.findChild('Service Role')).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: 'KMS data-key actions on the audit key only, which Firehose needs to encrypt the stream with it.' });
    }

    this.namedQueries = namedQueries(this, Object.values(AUDIT_QUERIES), props.database, this.table, props.workgroup);
  }

  /** Lets `fn` put audit records on the stream and tells it the stream name. */
  bindTo(fn: lambda.Function): void {
    this.deliveryStream.grantPutRecords(fn);
    fn.addEnvironment(FunctionEnv.AuditStream, this.deliveryStream.deliveryStreamName);
  }
}
