/**
 * The benchmark's results: the JSON document written to `bench/results/latest.json` and its
 * markdown rendering (`latest.md`).
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import type { StoreThroughput } from './store-throughput';

/** One measured cell: a target (direct or gateway) × protocol × request kind × concurrency. */
export interface CellResult {
  target: 'direct' | 'gateway';
  /**
   * `chat`: Chat Completions to an OpenAI target; `messages`: Anthropic Messages passed through to
   * an Anthropic target; `responses`: the Responses API passed through to a Responses target;
   * `responses-translated`: the Responses API translated to a chat-only target (direct: the same
   * answer asked of it in Chat Completions).
   */
  protocol: 'chat' | 'messages' | 'responses' | 'responses-translated';
  kind: 'json' | 'stream';
  concurrency: number;
  requests: number;
  errors: number;
  firstError?: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  /** The fake upstream's own CPU per request: what a bare node:http server costs on this machine. */
  upstreamCpuPerRequestMs?: number;
  /** Gateway only: process CPU (user + system) per request. */
  cpuPerRequestMs?: number;
  /** Gateway only: resident memory after the cell, and the process's peak so far. */
  rssMiB?: number;
  peakRssMiB?: number;
}

/** Cold start of the Lambda bundle, or why it was not measured. */
/** Cold start of one deployed bundle (medians over fresh processes). */
export interface BundleColdStart {
  name: 'gateway' | 'authorizer';
  bundleBytes: number;
  gzipBytes: number;
  /** `require` of the bundle: its module init, the AWS SDK it carries included. */
  initMedianMs: number;
  /** The same with `--enable-source-maps` (what NODE_OPTIONS would cost). */
  initWithSourceMapsMedianMs: number;
  /** The gateway's first streamed request after init. */
  firstRequestMedianMs?: number;
}

/** The cold-start section of the result. */
export type ColdStartResult = { measured: true; runs: number; node: string; bundles: BundleColdStart[] } | { measured: false; reason: string };

/** The whole result document. */
export interface BenchResult {
  mode: 'full' | 'quick';
  startedAt: string;
  machine: { nproc: number; cpuModel: string; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  settings: { streamIntervalMs: number; eventsPerStream: number; maxDurationMs: number; maxRequests: number };
  cells: CellResult[];
  /** Gateway minus direct, per protocol, kind and concurrency. */
  added: Array<{ protocol: CellResult['protocol']; kind: CellResult['kind']; concurrency: number; p50Ms: number; p99Ms: number; ttfbP50Ms: number }>;
  coldStart: ColdStartResult;
  /** Reserve + settle pairs a second on the embedded spend store, in the bench process (one thread). */
  storeThroughput: StoreThroughput;
}

/** The machine the numbers came from. */
export function machineInfo(): { nproc: number; cpuModel: string; node: string } {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // Not Linux: keep what os.cpus() said.
  }
  return { nproc: cpus().length, cpuModel, node: process.version };
}

/** Added latency of the gateway over the direct call, matched by protocol, kind and concurrency. */
export function addedLatency(cells: CellResult[]): BenchResult['added'] {
  const added: BenchResult['added'] = [];
  for (const gateway of cells.filter((cell) => cell.target === 'gateway')) {
    const direct = cells.find((cell) => cell.target === 'direct' && cell.protocol === gateway.protocol && cell.kind === gateway.kind && cell.concurrency === gateway.concurrency);
    if (!direct) continue;
    added.push({
      protocol: gateway.protocol,
      kind: gateway.kind,
      concurrency: gateway.concurrency,
      p50Ms: gateway.p50Ms - direct.p50Ms,
      p99Ms: gateway.p99Ms - direct.p99Ms,
      ttfbP50Ms: gateway.ttfbP50Ms - direct.ttfbP50Ms,
    });
  }
  return added;
}

const fixed = (value: number | undefined, digits = 2): string => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));

/** The markdown rendering of a result document. */
export function toMarkdown(result: BenchResult): string {
  const { machine, settings } = result;
  const lines = [
    `# Switchyard benchmark (${result.mode} mode, ${result.startedAt})`,
    '',
    `Machine: ${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}; load average before ${machine.loadAverageBefore.map((n) => n.toFixed(2)).join(' / ')}, after ${machine.loadAverageAfter.map((n) => n.toFixed(2)).join(' / ')}.`,
    `Streams: ${settings.eventsPerStream} events, content chunks ${settings.streamIntervalMs} ms apart. Each cell: at most ${settings.maxRequests} requests or ${settings.maxDurationMs} ms.`,
    '',
    'Protocols: `chat` is Chat Completions to an OpenAI target; `messages` is the Anthropic Messages API passed through to an Anthropic target; `responses` is the Responses API passed through to a Responses target; `responses-translated` is the Responses API translated to a chat-only target (its direct row asks the same upstream in Chat Completions).',
    '',
    '| target | protocol | kind | conc. | requests | errors | req/s | p50 ms | p99 ms | TTFB p50 ms | TTFB p99 ms | gateway CPU ms/req | upstream CPU ms/req | gateway RSS MiB (peak) |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const cell of result.cells) {
    const memory = cell.rssMiB === undefined ? '–' : `${fixed(cell.rssMiB, 0)} (${fixed(cell.peakRssMiB, 0)})`;
    lines.push(
      `| ${cell.target} | ${cell.protocol} | ${cell.kind} | ${cell.concurrency} | ${cell.requests} | ${cell.errors} | ${fixed(cell.requestsPerSecond, 0)} | ${fixed(cell.p50Ms)} | ${fixed(cell.p99Ms)} | ${fixed(cell.ttfbP50Ms)} | ${fixed(cell.ttfbP99Ms)} | ${fixed(cell.cpuPerRequestMs, 3)} | ${fixed(cell.upstreamCpuPerRequestMs, 3)} | ${memory} |`,
    );
  }
  lines.push('', '**Added by the gateway** (gateway minus direct):', '', '| protocol | kind | conc. | p50 ms | p99 ms | TTFB p50 ms |', '|---|---|---:|---:|---:|---:|');
  for (const row of result.added) lines.push(`| ${row.protocol} | ${row.kind} | ${row.concurrency} | ${fixed(row.p50Ms)} | ${fixed(row.p99Ms)} | ${fixed(row.ttfbP50Ms)} |`);
  lines.push('', '**Lambda bundle cold start**:', '');
  const cold = result.coldStart;
  if (cold.measured) {
    lines.push(
      `Each bundle as \`cdk synth\` built it (AWS SDK inside), loaded from a folder with no node_modules, ${cold.runs} fresh processes on Node ${cold.node}, medians:`,
      '',
      '| bundle | minified kB | gzip kB | module init ms | init with --enable-source-maps ms | first streamed request ms |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const bundle of cold.bundles) {
      lines.push(
        `| ${bundle.name} | ${fixed(bundle.bundleBytes / 1000, 1)} | ${fixed(bundle.gzipBytes / 1000, 1)} | ${fixed(bundle.initMedianMs, 1)} | ${fixed(bundle.initWithSourceMapsMedianMs, 1)} | ${bundle.firstRequestMedianMs === undefined ? '–' : fixed(bundle.firstRequestMedianMs, 1)} |`,
      );
    }
  } else {
    lines.push(`Not measured: ${cold.reason}`);
  }
  const store = result.storeThroughput;
  lines.push('', `**Embedded store**: ${store.pairs} reserve + settle pairs (a key and a team budget each) in ${fixed(store.durationMs, 0)} ms on one thread: ${fixed(store.pairsPerSecond, 0)} pairs/s.`);
  const failed = result.cells.filter((cell) => cell.firstError);
  if (failed.length > 0) {
    lines.push('', '**Errors**:', '');
    for (const cell of failed) lines.push(`- ${cell.target} ${cell.protocol} ${cell.kind} c${cell.concurrency}: ${cell.firstError}`);
  }
  return lines.join('\n') + '\n';
}
