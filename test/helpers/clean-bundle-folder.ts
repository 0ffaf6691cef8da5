import { existsSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, parse } from 'node:path';
import { build } from 'esbuild';

/**
 * Copies a synthesized Lambda asset folder (the bundle as `cdk deploy` would upload it) into a new
 * folder under the system temp dir, and checks that no `node_modules` exists in that folder or any
 * folder above it: a bundle loaded from there can only use what it carries, as on Lambda, never
 * the repository's own packages by accident. Returns the path of the copied `index.js`.
 */
export async function copyToCleanFolder(bundlePath: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'switchyard-lambda-task-'));
  const task = join(root, basename(dirname(bundlePath)));
  await cp(dirname(bundlePath), task, { recursive: true });
  for (let dir = task; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) throw new Error(`${join(dir, 'node_modules')} exists above the bundle: it would resolve packages the bundle does not carry`);
    if (dir === parse(dir).root) break;
  }
  return join(task, 'index.js');
}

/**
 * The module names a bundle loads with `require(…)` or `import(…)` that are not Node.js
 * built-ins: what it would need from a `node_modules` folder or from the Lambda runtime (empty for
 * a self-contained bundle). esbuild parses the bundle, so module names that only appear inside
 * strings (error messages naming optional packages) do not count.
 */
export async function nonBuiltinRequires(bundlePath: string): Promise<string[]> {
  const builtins = new Set(builtinModules);
  const found = new Set<string>();
  await build({
    entryPoints: [bundlePath],
    bundle: true,
    write: false,
    platform: 'node',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-imports',
        setup(plugin) {
          plugin.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            const name = args.path.replace(/^node:/, '');
            if (!builtins.has(name) && !builtins.has(name.split('/')[0] as string)) found.add(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return [...found].sort();
}
