import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** A CloudFormation resource as synthesized. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** A `cdk synth` output: the stack template and where its assets are. */
export interface SynthesizedApp {
  readonly outdir: string;
  readonly template: { Resources: Record<string, CfnResource>; Outputs?: Record<string, unknown> };
  /** Log of the synth (bundle sizes are in it). */
  readonly log: string;
  /** The resource whose logical id starts with `prefix` and has `type`. */
  resource(type: string, prefix: string): [string, CfnResource];
  /** Absolute path of the bundled `index.js` of a Lambda function resource. */
  bundlePath(functionLogicalId: string): string;
}

/**
 * Runs the real `cdk synth` (the CLI, the app in bin/, esbuild bundling) into a temporary
 * directory with the given config and context, offline and without credentials.
 */
export async function synthApp(config: unknown, context: Record<string, string>): Promise<SynthesizedApp> {
  const outdir = await mkdtemp(join(tmpdir(), 'switchyard-synth-'));
  const configPath = join(outdir, 'switchyard.config.json');
  await writeFile(configPath, JSON.stringify(config));
  const args = ['cdk', 'synth', '--quiet', '--output', outdir, '-c', `configPath=${configPath}`];
  for (const [key, value] of Object.entries(context)) args.push('-c', `${key}=${value}`);
  const { stdout, stderr } = await promisify(execFile)('npx', args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_CLI_NOTICES: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const stackArtifact = Object.values(manifest.artifacts).find((a) => a.type === 'aws:cloudformation:stack');
  if (!stackArtifact?.properties?.templateFile) throw new Error('no stack in the cloud assembly');
  const template = JSON.parse(await readFile(join(outdir, stackArtifact.properties.templateFile), 'utf8')) as SynthesizedApp['template'];
  const resource = (type: string, prefix: string): [string, CfnResource] => {
    const found = Object.entries(template.Resources).filter(([id, r]) => r.Type === type && id.startsWith(prefix));
    if (found.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${found.length}`);
    return found[0] as [string, CfnResource];
  };
  return {
    outdir,
    template,
    log: `${stdout}\n${stderr}`,
    resource,
    bundlePath: (id) => {
      const assetPath = template.Resources[id]?.Metadata?.['aws:asset:path'];
      if (typeof assetPath !== 'string') throw new Error(`${id} has no asset path`);
      return join(outdir, assetPath, 'index.js');
    },
  };
}
