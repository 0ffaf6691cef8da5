/**
 * Cold start of the Lambda gateway bundle: builds `functions/handlers/gateway.ts` with the
 * NodejsFunction's esbuild settings (`lib/constructs/function-defaults.ts`: minified CJS for
 * node22, AWS SDK and @smithy external, the routing config compiled in as a define), reports its
 * size minified and gzipped, then runs several fresh processes that each require the bundle under
 * the streaming emulation and serve one streamed request from the fake upstream.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { startFakeFirehose } from '../test/helpers/fake-firehose';
import type { ColdStartResult } from './report';

const ROOT = resolve(__dirname, '..');
const HANDLER = join(ROOT, 'functions/handlers/gateway.ts');
/** The define the gateway function compiles the config into (lib/constructs/gateway-function.ts). */
const CONFIG_DEFINE = '__SWITCHYARD_CONFIG__';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** Builds the bundle and measures `runs` cold starts against the upstream at `upstreamUrl`. */
export async function measureColdStart(runs: number, work: string, upstreamUrl: string): Promise<ColdStartResult> {
  if (!existsSync(HANDLER)) return { measured: false, reason: 'functions/handlers/gateway.ts does not exist on this branch.' };
  const config = { providers: { upstream: { type: 'openai', baseUrl: upstreamUrl } }, models: { bench: { targets: [{ provider: 'upstream', model: 'gpt-4o-mini' }] } } };
  const { parseConfig } = await import('../functions/core/config/load-config');
  const bundlePath = join(work, 'gateway', 'index.js');
  await build({
    entryPoints: [HANDLER],
    outfile: bundlePath,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*', '@smithy/*'],
    define: { [CONFIG_DEFINE]: JSON.stringify(parseConfig(config)) },
    logLevel: 'silent',
  });
  const childPath = join(work, 'cold-start-child.js');
  await build({ entryPoints: [join(__dirname, 'cold-start-child.ts')], outfile: childPath, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });

  const firehose = await startFakeFirehose();
  const env = {
    PATH: process.env.PATH,
    // The bundle leaves the AWS SDK to the runtime; here it comes from the project's node_modules.
    NODE_PATH: join(ROOT, 'node_modules'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    SWITCHYARD_KEYS_TABLE: 'bench-keys',
    SWITCHYARD_SPEND_TABLE: 'bench-spend',
    SWITCHYARD_SECRET_PREFIX: 'switchyard/bench/',
    USAGE_STREAM_NAME: 'bench-usage',
    // The usage flush after the stream goes to a local Firehose stand-in, as on Lambda it goes to
    // Firehose (a failing endpoint would add its retries to the first request).
    AWS_ENDPOINT_URL_FIREHOSE: firehose.url,
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  const bytes = readFileSync(bundlePath);
  // The external packages the bundle requires at its top level (the runtime provides them on Lambda).
  const externals = [...new Set([...bytes.toString('utf8').matchAll(/require\("(@aws-sdk\/[^"]+|@smithy\/[^"]+)"\)/g)].map((match) => match[1] as string))];
  const samples: Array<{ sdkMs: number; initMs: number; firstRequestMs: number }> = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      const { stdout } = await promisify(execFile)(process.execPath, [childPath, bundlePath, ...externals], { env, timeout: 30_000 });
      samples.push(JSON.parse(stdout.trim().split('\n').pop() as string) as { sdkMs: number; initMs: number; firstRequestMs: number });
    }
  } finally {
    await firehose.close();
  }
  return {
    measured: true,
    bundleBytes: statSync(bundlePath).size,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
    runs,
    externals,
    sdkLoadMedianMs: median(samples.map((sample) => sample.sdkMs)),
    initMedianMs: median(samples.map((sample) => sample.initMs)),
    firstRequestMedianMs: median(samples.map((sample) => sample.firstRequestMs)),
    totalMedianMs: median(samples.map((sample) => sample.sdkMs + sample.initMs + sample.firstRequestMs)),
  };
}
