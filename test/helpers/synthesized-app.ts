import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** A CloudFormation resource as synthesized. */
interface CfnResource {
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
  // The project's own CDK CLI, run by this Node (npx would only add a second start-up to find it).
  const args = [join(PROJECT_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet', '--output', outdir, '-c', `configPath=${configPath}`];
  for (const [key, value] of Object.entries(context)) args.push('-c', `${key}=${value}`);
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args, {
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

/** The stack id the resolver below gives `AWS::StackId` (its first UUID group is the suffix). */
const EMULATED_STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Switchyard-e2e/5e1f2a3b-0000-4000-8000-000000000000';

/**
 * Evaluates the intrinsic functions a function environment uses (`Ref`, `Fn::Join`,
 * `Fn::Select`, `Fn::Split`) as CloudFormation would, with `refs` giving the physical name of each
 * referenced resource and {@link EMULATED_STACK_ID} as `AWS::StackId`. Throws on anything else,
 * so a new kind of value fails loudly instead of being passed on unresolved.
 */
export function resolveIntrinsics(value: unknown, refs: Readonly<Record<string, string>>): string {
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string' || typeof v === 'number') return v;
    if (Array.isArray(v)) return v.map(resolve);
    const node = v as Record<string, unknown>;
    if ('Ref' in node) {
      const name = node.Ref as string;
      const resolved = name === 'AWS::StackId' ? EMULATED_STACK_ID : refs[name];
      if (resolved === undefined) throw new Error(`cannot resolve Ref ${name}`);
      return resolved;
    }
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as unknown[]).join(separator);
    }
    if ('Fn::Split' in node) {
      const [separator, source] = node['Fn::Split'] as [string, unknown];
      return String(resolve(source)).split(separator);
    }
    if ('Fn::Select' in node) {
      const [index, list] = node['Fn::Select'] as [number, unknown];
      return (resolve(list) as unknown[])[Number(index)];
    }
    throw new Error(`cannot resolve ${JSON.stringify(v)}`);
  };
  return String(resolve(value));
}
