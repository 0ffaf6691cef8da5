/**
 * The benchmark's results: the JSON document written to `bench/results/latest.json` and its
 * markdown rendering (`latest.md`).
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import type { StoreThroughput } from './store-throughput';

/**
 * One measured cell: a target × protocol × request kind × concurrency. Targets: the direct call,
 * Switchyard (`gateway`), the bare `node:http` proxy (`floor`), and the peer gateway.
 */
export interface CellResult {
  target: 'direct' | 'gateway' | 'floor' | 'peer';
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
  /** Gateway, floor and peer: the server process's CPU (user + system) per request. */
  cpuPerRequestMs?: number;
  /** Gateway, floor and peer: resident memory after the cell, and the process's peak so far. */
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
  /** The peer gateway measured in the same run (`--peers`), as named in the report. */
  peer?: string;
  /** Whether the gateway, the floor and the peer each ran alone on one pinned core (see `cpuPinning`). */
  pinned: boolean;
  cells: CellResult[];
  /** Gateway, floor and peer minus direct, per protocol, kind and concurrency. */
  added: AddedLatency[];
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

/** What a server in front of the upstream (Switchyard, the floor or the peer) added over the direct call in one cell. */
export interface AddedLatency {
  target: Exclude<CellResult['target'], 'direct'>;
  protocol: CellResult['protocol'];
  kind: CellResult['kind'];
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
  ttfbP50Ms: number;
}

/** Added latency of the gateway, the floor and the peer over the direct call, matched by protocol, kind and concurrency. */
export function addedLatency(cells: CellResult[]): AddedLatency[] {
  const added: AddedLatency[] = [];
  for (const server of cells.filter((cell): cell is CellResult & { target: AddedLatency['target'] } => cell.target !== 'direct')) {
    const direct = cells.find((cell) => cell.target === 'direct' && cell.protocol === server.protocol && cell.kind === server.kind && cell.concurrency === server.concurrency);
    if (!direct) continue;
    added.push({
      target: server.target,
      protocol: server.protocol,
      kind: server.kind,
      concurrency: server.concurrency,
      p50Ms: server.p50Ms - direct.p50Ms,
      p99Ms: server.p99Ms - direct.p99Ms,
      ttfbP50Ms: server.ttfbP50Ms - direct.ttfbP50Ms,
    });
  }
  return added;
}

const fixed = (value: number | undefined, digits = 2): string => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));

/**
 * Switchyard beside the floor, the peer and the direct call, cell by cell: time to first byte
 * added over the direct call and server CPU per request, with Switchyard's figure as a multiple
 * of the floor's and the peer's as a multiple of Switchyard's. The peer's columns only when a peer
 * ran, empty in the cells it has no counterpart for.
 */
function sideBySide(result: BenchResult): string[] {
  const find = (target: CellResult['target'], like: CellResult): CellResult | undefined =>
    result.cells.find((cell) => cell.target === target && cell.protocol === like.protocol && cell.kind === like.kind && cell.concurrency === like.concurrency);
  const ratio = (over: number | undefined, under: number | undefined): string => (over === undefined || under === undefined || under <= 0 ? '–' : `${(over / under).toFixed(1)}×`);
  const withPeer = result.peer !== undefined;
  const lines = [
    '',
    `**Side by side** (Switchyard beside the floor${withPeer ? ' and the peer' : ''}; the direct call's own TTFB for scale):`,
    '',
    `| protocol | kind | conc. | direct TTFB p50 ms | added TTFB p50 ms: Switchyard | floor${withPeer ? ' | peer' : ''} | CPU ms/req: Switchyard | floor | Switchyard ÷ floor${withPeer ? ' | peer | peer ÷ Switchyard' : ''} |`,
    `|---|---|---:|---:|---:|---:|---:|---:|---:${withPeer ? '|---:|---:|---:' : ''}|`,
  ];
  for (const ours of result.cells.filter((cell) => cell.target === 'gateway')) {
    const direct = find('direct', ours);
    const floor = find('floor', ours);
    const peer = find('peer', ours);
    // The peer does not translate the Responses API to chat servers: its columns stay empty there.
    if (!direct || !floor) continue;
    const added = (cell: CellResult | undefined): string => fixed(cell && cell.ttfbP50Ms - direct.ttfbP50Ms);
    const cells = [ours.protocol, ours.kind, ours.concurrency, fixed(direct.ttfbP50Ms), added(ours), added(floor), ...(withPeer ? [added(peer)] : [])];
    cells.push(fixed(ours.cpuPerRequestMs, 3), fixed(floor.cpuPerRequestMs, 3), ratio(ours.cpuPerRequestMs, floor.cpuPerRequestMs));
    if (withPeer) cells.push(fixed(peer?.cpuPerRequestMs, 3), ratio(peer?.cpuPerRequestMs, ours.cpuPerRequestMs));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

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
    `Targets: \`direct\` calls the fake upstream itself, \`gateway\` is \`switchyard serve\` (budgets, rate limits, usage events and metrics on), \`floor\` is a bare \`node:http\` proxy that forwards the request and each piece of the answer and does nothing else (\`bench/floor-proxy.ts\`: the least any Node gateway pays)${result.peer ? `, \`peer\` is the ${result.peer}` : ''}.${result.pinned ? ' The gateway, the floor and the peer each ran alone on core 0 (one after the other); the load generator and the upstream on core 1.' : ''}`,
    '',
    '| target | protocol | kind | conc. | requests | errors | req/s | p50 ms | p99 ms | TTFB p50 ms | TTFB p99 ms | server CPU ms/req | upstream CPU ms/req | server RSS MiB (peak) |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const cell of result.cells) {
    const memory = cell.rssMiB === undefined ? '–' : `${fixed(cell.rssMiB, 0)} (${fixed(cell.peakRssMiB, 0)})`;
    lines.push(
      `| ${cell.target} | ${cell.protocol} | ${cell.kind} | ${cell.concurrency} | ${cell.requests} | ${cell.errors} | ${fixed(cell.requestsPerSecond, 0)} | ${fixed(cell.p50Ms)} | ${fixed(cell.p99Ms)} | ${fixed(cell.ttfbP50Ms)} | ${fixed(cell.ttfbP99Ms)} | ${fixed(cell.cpuPerRequestMs, 3)} | ${fixed(cell.upstreamCpuPerRequestMs, 3)} | ${memory} |`,
    );
  }
  lines.push('', '**Added by the gateway** (minus direct):', '', '| target | protocol | kind | conc. | p50 ms | p99 ms | TTFB p50 ms |', '|---|---|---|---:|---:|---:|---:|');
  for (const row of result.added) lines.push(`| ${row.target} | ${row.protocol} | ${row.kind} | ${row.concurrency} | ${fixed(row.p50Ms)} | ${fixed(row.p99Ms)} | ${fixed(row.ttfbP50Ms)} |`);
  lines.push(...sideBySide(result));
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
  lines.push('', `**Embedded store**: ${store.pairs} reserve + settle pairs (an \`rpm\` limit, a key and a team budget each) in ${fixed(store.durationMs, 0)} ms on one thread: ${fixed(store.pairsPerSecond, 0)} pairs/s.`);
  const failed = result.cells.filter((cell) => cell.firstError);
  if (failed.length > 0) {
    lines.push('', '**Errors**:', '');
    for (const cell of failed) lines.push(`- ${cell.target} ${cell.protocol} ${cell.kind} c${cell.concurrency}: ${cell.firstError}`);
  }
  return lines.join('\n') + '\n';
}
