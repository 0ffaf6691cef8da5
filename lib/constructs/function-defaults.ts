import * as path from 'node:path';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct, Construct } from 'constructs';
import type { Duration } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { SERVICE_NAME } from '../../functions/deployment-names';

/** The repository root (bundling input and lock file location). */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Path of a Lambda entry point under `functions/handlers/`. */
export function handlerEntry(name: string): string {
  return path.join(PROJECT_ROOT, 'functions', 'handlers', `${name}.ts`);
}

/** What differs between Switchyard's functions. */
export interface SwitchyardFunctionOptions {
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  /** esbuild `define`s (values are JS/JSON source text). */
  readonly define?: Record<string, string>;
  readonly environment?: Record<string, string>;
  readonly reservedConcurrentExecutions?: number;
  /** Active AWS X-Ray tracing (default off). */
  readonly tracing?: boolean;
}

/** The Lambda runtime of every function (docs/decisions/0001-lambda-runtime.md). */
const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/**
 * NodejsFunction props shared by every Switchyard function: Node.js 24 on arm64, a minified
 * CommonJS esbuild bundle that carries every module it imports (the AWS SDK and @smithy included),
 * a log group with the requested retention, and Powertools service settings.
 */
export function switchyardFunctionProps(scope: Construct, id: string, options: SwitchyardFunctionOptions): NodejsFunctionProps {
  return {
    entry: options.entry,
    handler: 'handler',
    description: options.description,
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
    tracing: options.tracing ? Tracing.ACTIVE : undefined,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: options.logRetention }),
    environment: {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      ...options.environment,
    },
    bundling: {
      minify: true,
      // The map ships beside the bundle but Node only reads it with --enable-source-maps, which
      // costs about 30 ms of cold start (docs/benchmark.md): an operator turns it on through
      // NODE_OPTIONS when a stack trace needs mapping, instead of every cold start paying for it.
      sourceMap: true,
      sourcesContent: false,
      // The AWS SDK's ES module builds let esbuild drop the commands the code never sends: a
      // third less code to compile at cold start than its one-file CommonJS builds.
      mainFields: ['module', 'main'],
      target: 'node22',
      format: OutputFormat.CJS,
      // Nothing is left to the runtime's own AWS SDK copy: its version differs per region and
      // over time (sub-path exports such as @smithy/core/transport exist only in newer ones), so
      // the bundle carries the SDK it was tested with (DESIGN §8, §9).
      externalModules: [],
      define: options.define,
    },
  };
}

/**
 * The cdk-nag acknowledgements every Switchyard function shares, each with its reason.
 */
export function acknowledgeFunctionFindings(fn: IConstruct, options: { tracing?: boolean } = {}): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'AWSLambdaBasicExecutionRole only allows writing the function logs to CloudWatch Logs.',
  });
  if (options.tracing) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active X-Ray tracing (context tracing=true): xray:PutTraceSegments and xray:PutTelemetryRecords, added by the Lambda L2, support no resource-level permissions.',
    });
  }
}
