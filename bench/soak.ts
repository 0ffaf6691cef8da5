/**
 * `npm run bench -- --soak [--minutes 30]`: the gateway's memory over a long run (DESIGN §8: RSS
 * ≤ 150 MB at 64 concurrent streams, flat over 30 minutes). Streams chat completions through
 * `switchyard serve` at concurrency 64 in one-minute slices and records, after each, the requests
 * served, the errors, and the process's resident and peak memory; writes
 * `bench/results/soak.{json,md}`. Not run in CI (it takes the whole duration).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGatewayProcess } from './children';
import { runLoad } from './load';
import { memoryMiB } from './proc-stats';

/** One slice of the soak. */
interface SoakSample {
  minute: number;
  requests: number;
  errors: number;
  rssMiB: number;
  peakRssMiB: number;
}

/** What the soak needs from the bench: where the gateway's config and key are. */
export interface SoakSetup {
  configPath: string;
  dataDir: string;
  key: string;
  pin: string[];
  resultsDir: string;
}

const CONCURRENCY = 64;
const SLICE_MS = 60_000;

/** Runs the soak for `minutes` and writes its results; returns the samples. */
export async function runSoak(setup: SoakSetup, minutes: number): Promise<SoakSample[]> {
  const gateway = await startGatewayProcess(['--config', setup.configPath, '--data-dir', setup.dataDir, '--log-level', 'warn'], [], setup.pin);
  const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say hello in twenty words.' }], stream: true });
  const spec = { url: `${gateway.url}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.key}` }, body, concurrency: CONCURRENCY, maxRequests: Number.MAX_SAFE_INTEGER, maxDurationMs: SLICE_MS };
  const samples: SoakSample[] = [];
  try {
    for (let minute = 1; minute <= minutes; minute += 1) {
      const load = await runLoad(spec);
      const memory = memoryMiB(gateway.pid);
      const sample = { minute, requests: load.requests, errors: load.errors, rssMiB: memory.rss, peakRssMiB: memory.peak };
      samples.push(sample);
      process.stdout.write(`soak minute ${minute}: ${sample.requests} streams, ${sample.errors} errors, RSS ${sample.rssMiB.toFixed(0)} MiB (peak ${sample.peakRssMiB.toFixed(0)})\n`);
    }
  } finally {
    await gateway.stop();
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  const markdown = [
    `# Switchyard soak (${new Date().toISOString()})`,
    '',
    `Streamed chat completions at concurrency ${CONCURRENCY} for ${minutes} minutes through \`switchyard serve\` (budgets, usage and metrics on).`,
    first && last ? `RSS ${first.rssMiB.toFixed(0)} MiB after the first minute, ${last.rssMiB.toFixed(0)} MiB after the last; peak ${Math.max(...samples.map((s) => s.peakRssMiB)).toFixed(0)} MiB.` : '',
    '',
    '| minute | streams | errors | RSS MiB | peak RSS MiB |',
    '|---:|---:|---:|---:|---:|',
    ...samples.map((s) => `| ${s.minute} | ${s.requests} | ${s.errors} | ${s.rssMiB.toFixed(0)} | ${s.peakRssMiB.toFixed(0)} |`),
  ].join('\n');
  writeFileSync(join(setup.resultsDir, 'soak.json'), JSON.stringify({ concurrency: CONCURRENCY, minutes, samples }, null, 2) + '\n');
  writeFileSync(join(setup.resultsDir, 'soak.md'), markdown + '\n');
  return samples;
}
