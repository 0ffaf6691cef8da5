import * as path from 'node:path';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct, Construct } from 'constructs';
import type { Duration } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';

/** The repository root (bundling input and lock file location). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

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
}

/**
 * NodejsFunction props shared by every Switchyard function: Node.js 22 on arm64 (middy 7 and
 * Powertools target it), a minified CommonJS esbuild bundle with source maps and the AWS SDK (with
 * @smithy) left to the runtime, a log group with the requested retention, and Powertools service settings.
 */
export function switchyardFunctionProps(scope: Construct, id: string, options: SwitchyardFunctionOptions): NodejsFunctionProps {
  return {
    entry: options.entry,
    handler: 'handler',
    description: options.description,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: options.logRetention }),
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'switchyard',
      ...options.environment,
    },
    bundling: {
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      target: 'node22',
      format: OutputFormat.CJS,
      // The Lambda Node.js runtime ships AWS SDK v3 with its @smithy dependencies; taking both
      // from the runtime keeps them one consistent install and the bundle small.
      externalModules: ['@aws-sdk/*', '@smithy/*'],
      metafile: true,
      define: options.define,
    },
  };
}

/**
 * The cdk-nag acknowledgements every Switchyard function shares, each with its reason.
 */
export function acknowledgeFunctionFindings(fn: IConstruct): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'AWSLambdaBasicExecutionRole only allows writing the function logs to CloudWatch Logs.',
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Pinned to nodejs22.x, the runtime middy 7 and Powertools target and the one the bundle is tested for; moving to a newer runtime is a deliberate, tested change.',
  });
}
