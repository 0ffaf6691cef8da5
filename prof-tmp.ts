import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChildren, runCli, startGatewayProcess, startUpstreamProcess } from './bench/children';
import { runLoad } from './bench/load';
async function main() {
  const work = mkdtempSync(join(tmpdir(), 'prof-'));
  const upstream = await startUpstreamProcess(1);
  const dataDir = join(work, 'data');
  const configPath = join(work, 'c.json');
  writeFileSync(configPath, JSON.stringify({ providers: { upstream: { type: 'openai', baseUrl: upstream.url } }, models: { bench: { targets: [{ provider: 'upstream', model: 'gpt-4o-mini' }] } } }));
  const created = JSON.parse(await runCli(['keys', 'create', '--name', 'bench', '--budget', '1000000', '--period', 'month', '--json', '--data-dir', dataDir])) as { key: string };
  mkdirSync('/tmp/prof2', { recursive: true });
  const gw = await startGatewayProcess(['--config', configPath, '--data-dir', dataDir, '--log-level', 'warn'], ['--cpu-prof', '--cpu-prof-dir', '/tmp/prof2']);
  const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say hello in twenty words.' }], stream: process.argv[2] === 'stream' });
  const r = await runLoad({ url: `${gw.url}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: `Bearer ${created.key}` }, body, concurrency: 16, maxRequests: 20000, maxDurationMs: 6000 });
  console.log('requests', r.requests, 'errors', r.errors);
  await gw.stop();
  killChildren();
  process.exit(0);
}
main();
