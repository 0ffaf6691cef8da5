/**
 * Cold start of the deployed Lambda bundles: runs the real `cdk synth` (the NodejsFunction's
 * esbuild bundling, the AWS SDK inside each bundle), copies each function's artifact to a folder
 * with no `node_modules` above it, reports its size minified and gzipped, then runs several fresh
 * processes per bundle under the streaming emulation on the Node binary that plays the Lambda
 * runtime (`SWITCHYARD_LAMBDA_NODE`, else this Node): module init of each bundle, without and with
 * `--enable-source-maps`, and for the gateway one streamed request from the fake upstream.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { copyToCleanFolder } from '../test/helpers/clean-bundle-folder';
import { startFakeFirehose } from '../test/helpers/fake-firehose';
import { synthApp } from '../test/helpers/synthesized-app';
import type { BundleColdStart, ColdStartResult } from './report';
import { FunctionEnv } from '../functions/deployment-names';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

interface Sample {
  initMs: number;
  firstRequestMs?: number;
}

/** Synthesizes the app for the upstream at `upstreamUrl` and measures `runs` cold starts of each bundle. */
export async function measureColdStart(runs: number, work: string, upstreamUrl: string): Promise<ColdStartResult> {
  const config = { providers: { upstream: { type: 'openai', baseUrl: upstreamUrl } }, models: { bench: { targets: [{ provider: 'upstream', model: 'gpt-4o-mini' }] } } };
  const synth = await synthApp(config, { stage: 'bench', allowDevProviders: 'true' });
  const bundles = {
    gateway: await copyToCleanFolder(synth.bundlePath(synth.resource('AWS::Lambda::Function', 'GatewayFunction')[0])),
    authorizer: await copyToCleanFolder(synth.bundlePath(synth.resource('AWS::Lambda::Function', 'AuthorizerFunction')[0])),
  };
  const childPath = join(work, 'cold-start-child.js');
  await build({ entryPoints: [join(__dirname, 'cold-start-child.ts')], outfile: childPath, bundle: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'silent' });

  const node = process.env.SWITCHYARD_LAMBDA_NODE || process.execPath;
  const firehose = await startFakeFirehose();
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    [FunctionEnv.KeysTable]: 'bench-keys',
    [FunctionEnv.SpendTable]: 'bench-spend',
    [FunctionEnv.ResponsesTable]: 'bench-responses',
    SWITCHYARD_SECRET_PREFIX: 'switchyard/bench/',
    [FunctionEnv.UsageStream]: 'bench-usage',
    [FunctionEnv.AuditStream]: 'bench-audit',
    // The usage flush after the stream goes to a local Firehose stand-in, as on Lambda it goes to
    // Firehose (a failing endpoint would add its retries to the first request).
    AWS_ENDPOINT_URL_FIREHOSE: firehose.url,
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  const sample = async (bundle: string, mode: 'request' | 'init', sourceMaps: boolean): Promise<Sample> => {
    const { stdout } = await promisify(execFile)(node, [...(sourceMaps ? ['--enable-source-maps'] : []), childPath, bundle, mode], { env, timeout: 30_000 });
    return JSON.parse(stdout.trim().split('\n').pop() as string) as Sample;
  };
  const measure = async (name: keyof typeof bundles, mode: 'request' | 'init'): Promise<BundleColdStart> => {
    const plain: Sample[] = [];
    const withMaps: Sample[] = [];
    for (let run = 0; run < runs; run += 1) {
      plain.push(await sample(bundles[name], mode, false));
      withMaps.push(await sample(bundles[name], mode, true));
    }
    const bytes = readFileSync(bundles[name]);
    const requests = plain.flatMap((s) => (s.firstRequestMs === undefined ? [] : [s.firstRequestMs]));
    return {
      name,
      bundleBytes: statSync(bundles[name]).size,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
      initMedianMs: median(plain.map((s) => s.initMs)),
      initWithSourceMapsMedianMs: median(withMaps.map((s) => s.initMs)),
      ...(requests.length > 0 ? { firstRequestMedianMs: median(requests) } : {}),
    };
  };
  try {
    return { measured: true, runs, node: (await promisify(execFile)(node, ['--version'])).stdout.trim(), bundles: [await measure('gateway', 'request'), await measure('authorizer', 'init')] };
  } finally {
    await firehose.close();
  }
}
