import { Duration, Names, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { stackInstanceSuffix } from './stack-instance';
import { FunctionEnv } from '../../functions/deployment-names';
import { REPORT_QUERIES, namedQueryName, renderReportSql, type ReportQuery } from '../../functions/core/reports/report-queries';
import { USAGE_COLUMNS, USAGE_PARTITION_COLUMN, type UsageColumnType } from '../../functions/core/usage/usage-schema';

/** Props of {@link UsagePipeline}. */
export interface UsagePipelineProps {
  /** Days usage data is kept in S3 (and projected as partitions). @default 730 */
  readonly retentionDays?: number;
  /** Days before usage objects move to Infrequent Access. @default 90 */
  readonly infrequentAccessAfterDays?: number;
  /** Largest scan of one Athena query in the workgroup. @default 10 GiB */
  readonly bytesScannedCutoffPerQuery?: Size;
  /** How long Firehose buffers before writing an object. @default 5 minutes */
  readonly bufferingInterval?: Duration;
  /** Removal policy of the buckets, database and table. @default RETAIN_ON_UPDATE_OR_DELETE */
  readonly removalPolicy?: RemovalPolicy;
}

/** Glue column types of the usage and audit tables. */
const GLUE_TYPES: Record<UsageColumnType, glue.Type> = {
  string: glue.Schema.STRING,
  bigint: glue.Schema.BIG_INT,
  double: glue.Schema.DOUBLE,
  boolean: glue.Schema.BOOLEAN,
  'map<string,string>': glue.Schema.map(glue.Schema.STRING, glue.Schema.STRING),
};

/** S3 prefix of the usage objects; the Glue table location and the Firehose prefix agree on it. */
const USAGE_PREFIX = 'usage/';

/**
 * Usage events from the gateway to Athena (DESIGN §5): a Firehose delivery stream converts the
 * JSON events to Parquet with the Glue table's schema and writes them to S3 under
 * `usage/dt=YYYY-MM-DD/`; the Glue table projects the `dt` partitions (no crawler, no
 * `MSCK REPAIR`); an Athena workgroup with a scan limit holds the report named queries, rendered
 * from the same SQL as `switchyard report` runs locally.
 *
 * @example
 * const usage = new UsagePipeline(this, 'Usage');
 * usage.bindTo(gatewayFunction);
 */
export class UsagePipeline extends Construct {
  /** Holds the Parquet usage objects under `usage/` (and Firehose errors under `usage-errors/`). */
  readonly bucket: s3.Bucket;
  /** Athena query results, kept briefly. */
  readonly resultsBucket: s3.Bucket;
  /** Server access logs of both buckets. */
  readonly accessLogsBucket: s3.Bucket;
  readonly database: glue.Database;
  readonly table: glue.S3Table;
  readonly deliveryStream: firehose.DeliveryStream;
  readonly workgroup: athena.CfnWorkGroup;
  readonly namedQueries: athena.CfnNamedQuery[];
  /** The Firehose buffering interval, which bounds the expected data freshness. */
  readonly bufferingInterval: Duration;

  constructor(scope: Construct, id: string, props: UsagePipelineProps = {}) {
    super(scope, id);
    // Server access logs delivered through a bucket policy, not the legacy LogDeliveryWrite ACL:
    // set here so the construct behaves the same in any app, not only one with cdk.json's flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retentionDays = props.retentionDays ?? 730;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.bufferingInterval = props.bufferingInterval ?? Duration.minutes(5);
    const secureBucket: s3.BucketProps = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects: false,
    };

    // The logging service writes through a bucket policy, so this bucket needs no ACLs either.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...secureBucket,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...secureBucket,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'usage-bucket/',
      lifecycleRules: [
        {
          id: 'usage-retention',
          prefix: USAGE_PREFIX,
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(props.infrequentAccessAfterDays ?? 90) }],
          expiration: Duration.days(retentionDays),
        },
        { id: 'firehose-errors', prefix: 'usage-errors/', expiration: Duration.days(30) },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    this.resultsBucket = new s3.Bucket(this, 'AthenaResults', {
      ...secureBucket,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'athena-results-bucket/',
      lifecycleRules: [{ expiration: Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });

    // Glue names are unique per stack instance: a retained database or table of a destroyed or
    // rolled-back stack would otherwise make the next deploy fail with "already exists".
    this.database = new glue.Database(this, 'Database', {
      databaseName: `switchyard_usage_${stackInstanceSuffix()}`,
      description: 'Switchyard usage events (one row per gateway request).',
    });
    this.database.applyRemovalPolicy(removalPolicy);
    this.table = dayPartitionedTable(this, 'Table', {
      database: this.database,
      tableName: 'usage_events',
      description: 'Usage events, Parquet, partitioned by UTC delivery day (dt).',
      bucket: this.bucket,
      prefix: USAGE_PREFIX,
      dataFormat: glue.DataFormat.PARQUET,
      columns: USAGE_COLUMNS,
      retentionDays,
      removalPolicy,
    });

    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', {
      encryption: firehose.StreamEncryption.awsOwnedKey(),
      destination: new firehose.S3Bucket(this.bucket, {
        dataOutputPrefix: `${USAGE_PREFIX}${USAGE_PARTITION_COLUMN}=!{timestamp:yyyy-MM-dd}/`,
        errorOutputPrefix: 'usage-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        bufferingInterval: this.bufferingInterval,
        // Parquet conversion needs at least 64 MiB of buffer.
        bufferingSize: Size.mebibytes(128),
        dataFormatConversion: {
          schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(this.table.node.defaultChild as glue.CfnTable),
          inputFormat: firehose.InputFormat.OPENX_JSON,
          outputFormat: firehose.OutputFormat.PARQUET,
        },
      }),
    });

    acknowledgeFirehoseS3Grants(this.deliveryStream, this.bucket, 'usage');

    const cutoff = props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10);
    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: 'Switchyard usage reports',
      recursiveDeleteOption: true,
      state: 'ENABLED',
      workGroupConfiguration: {
        bytesScannedCutoffPerQuery: cutoff.toBytes(),
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    this.namedQueries = namedQueries(this, Object.values(REPORT_QUERIES), this.database, this.table, this.workgroup);
  }

  /** Lets `fn` put usage records on the stream and tells it the stream name. */
  bindTo(fn: lambda.Function): void {
    this.deliveryStream.grantPutRecords(fn);
    fn.addEnvironment(FunctionEnv.UsageStream, this.deliveryStream.deliveryStreamName);
  }
}

/**
 * The Firehose L2 writes the S3 destination role's policy itself; its wildcards are scoped to the
 * construct's own bucket (`name`: usage or audit), its KMS actions to that bucket's key, and
 * `glue:GetSchemaVersion` (record format conversion) has no resource-level scoping. It also adds
 * a stack-level mapping of Firehose CIDR blocks used only by VPC destinations (Redshift,
 * OpenSearch); with an S3 destination nothing references it.
 */
export function acknowledgeFirehoseS3Grants(stream: firehose.DeliveryStream, bucket: s3.Bucket, name: string): void {
  Validations.of(Stack.of(stream)).acknowledge({ id: 'CloudFormation-Validate::W7001', reason: 'Unreferenced Firehose CIDR mapping added by the Firehose L2; harmless with an S3 destination.' });
  const role = stream.node.findChild('S3 Destination Role');
  const bucketGrant = `The Firehose L2 S3 destination grant (read/write/abort multipart) on the ${name} bucket only, which Firehose needs to deliver and clean up objects.`;
  for (const finding of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*']) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: bucketGrant });
  }
  for (const finding of ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*']) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: `KMS data-key actions on the ${name} bucket's own key only, which Firehose needs to write encrypted objects.` });
  }
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`, reason: `Firehose writes objects anywhere under ${name}/ and ${name}-errors/ of the ${name} bucket; keys are generated by Firehose.` });
  Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'glue:GetSchemaVersion, added by the Firehose L2 for record format conversion, does not support resource-level permissions.' });
}

/** Props of {@link dayPartitionedTable}. */
interface DayPartitionedTableProps {
  database: glue.IDatabase;
  tableName: string;
  description: string;
  bucket: s3.IBucket;
  /** S3 prefix of the objects, `<prefix>dt=YYYY-MM-DD/…`. */
  prefix: string;
  dataFormat: glue.DataFormat;
  columns: readonly { name: string; type: UsageColumnType }[];
  /** Days of partitions to project, back from today. */
  retentionDays: number;
  removalPolicy: RemovalPolicy;
}

/**
 * A Glue table over objects Firehose writes under `<prefix>dt=YYYY-MM-DD/`: the columns in Glue
 * types, and the `dt` partitions projected (no crawler, no `MSCK REPAIR`) over the retention.
 */
export function dayPartitionedTable(scope: Construct, id: string, props: DayPartitionedTableProps): glue.S3Table {
  const table = new glue.S3Table(scope, id, {
    database: props.database,
    tableName: props.tableName,
    description: props.description,
    storage: glue.S3TableStorage.fromBucket(props.bucket),
    s3Prefix: props.prefix,
    dataFormat: props.dataFormat,
    columns: props.columns.map((column) => ({ name: column.name, type: GLUE_TYPES[column.type] })),
    partitionKeys: [{ name: USAGE_PARTITION_COLUMN, type: glue.Schema.STRING }],
    partitionProjection: {
      [USAGE_PARTITION_COLUMN]: glue.PartitionProjectionConfiguration.date({
        min: `NOW-${props.retentionDays}DAYS`,
        max: 'NOW+1DAYS',
        format: 'yyyy-MM-dd',
        step: { interval: 1, intervalUnit: glue.DateIntervalUnit.DAYS },
      }),
    },
    parameters: {
      'storage.location.template': `s3://${props.bucket.bucketName}/${props.prefix}${USAGE_PARTITION_COLUMN}=\${${USAGE_PARTITION_COLUMN}}/`,
    },
  });
  table.applyRemovalPolicy(props.removalPolicy);
  return table;
}

/**
 * The Athena named queries of `queries` over `table`, in `workgroup`, rendered from the same SQL
 * the CLI runs locally. Each references the workgroup (`ref`), which orders it after it.
 */
export function namedQueries(scope: Construct, queries: readonly ReportQuery[], database: glue.IDatabase, table: glue.ITable, workgroup: athena.CfnWorkGroup): athena.CfnNamedQuery[] {
  const source = `"${database.databaseName}"."${table.tableName}"`;
  return queries.map(
    (query) =>
      new athena.CfnNamedQuery(scope, `Query-${query.name}`, {
        name: namedQueryName(query),
        description: `${query.description} Parameters: ${query.parameters.join(', ')}.`,
        database: database.databaseName,
        workGroup: workgroup.ref,
        queryString: renderReportSql(query, source),
      }),
  );
}
