/**
 * `npm run bench [-- --quick] [-- --profile]`: the Switchyard benchmark (DESIGN §8).
 *
 * Starts the fake OpenAI upstream in its own process and creates a real key with a budget through
 * the CLI. Measures first, on a rested machine, the Lambda bundles' cold start and the embedded
 * store's reserve + settle pairs per second. Then starts `switchyard serve` as its own process
 * (budgets and usage events on, as shipped) and measures, in one run on this machine, the same
 * requests sent (a) directly to the upstream, (b) through the gateway and (c) through a bare
 * `node:http` proxy, the floor of any Node gateway (`bench/floor-proxy.ts`): req/s, p50/p99
 * latency, time to first byte, and the server process's CPU per request and memory, at
 * concurrency 1, 16 and 64. Results go to `bench/results/latest.{json,md}` (`quick.{json,md}` in
 * quick mode, so CI and local smoke runs never overwrite the published figures).
 *
 * `--quick` runs every cell for a fraction of a second: it keeps the benchmark working in CI and
 * asserts nothing about timings. `--profile` records a V8 CPU profile of the gateway process
 * into `bench/results/profiles/`. `--peers` also measures the peer gateway (Portkey, installed
 * into `bench/peers/` on first use) in the same run, on the same core and upstream, and writes a
 * chart of both (`latest.svg`). `--soak [--minutes 30]` instead streams at concurrency 64 for that
 * long and records the gateway's memory minute by minute (`soak.{json,md}`; never in CI).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { cpuPinning, killChildren, runCli, startGatewayProcess, startUpstreamProcess } from './children';
import { renderChart } from './chart';
import { measureColdStart } from './cold-start';
import { CONTENT_CHUNKS } from './fake-upstream';
import { startFloorProxy } from './floor-proxy';
import { percentile, runLoad, type LoadSpec } from './load';
import { cpuMs, memoryMiB } from './proc-stats';
import { installPeers, peerDescription, portkeyHeaders, startPortkey, type PeerProcess } from './peers';
import { runSoak } from './soak';
import { measureStoreThroughput } from './store-throughput';
import { addedLatency, machineInfo, toMarkdown, type BenchResult, type CellResult } from './report';

const CONCURRENCY = [1, 16, 64];
const KINDS = ['json', 'stream'] as const;
/**
 * Chat Completions to an OpenAI target; Anthropic Messages passed through to an Anthropic target;
 * the Responses API passed through to a Responses target, and translated to a chat-only one.
 */
const PROTOCOLS = ['chat', 'messages', 'responses', 'responses-translated'] as const;
const STREAM_INTERVAL_MS = 1;
const RESULTS_DIR = resolve(__dirname, 'results');

interface Settings {
  maxDurationMs: number;
  maxRequests: number;
  /** Warm-up of each target before a protocol's cells, at c=16: whichever bound comes first. */
  warmupRequests: number;
  warmupMs: number;
  coldStartRuns: number;
}

/**
 * A started `switchyard serve` needs 10,000 requests and more before its CPU per request settles
 * (V8 optimising the request path on the one pinned core, the heap reaching its working size):
 * measured in 1.5-second rounds from a cold start at c=16, one run fell from 1.68 ms per JSON
 * request in the first round to 0.45 in the fifth and 0.41–0.45 after; another, in a slower phase
 * of this VM, from 2.14 ms to 0.65–0.70 in the seventh and eighth, after about 11,000 requests.
 * A warm-up of 2,000 requests left the first cells (c=1) measuring the warm-up, so each target
 * now warms up for 15,000 requests or 10 seconds.
 */
const FULL: Settings = { maxDurationMs: 5_000, maxRequests: 20_000, warmupRequests: 15_000, warmupMs: 10_000, coldStartRuns: 7 };
const QUICK: Settings = { maxDurationMs: 250, maxRequests: 200, warmupRequests: 50, warmupMs: 250, coldStartRuns: 1 };

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

const PROMPT = 'Say hello in twenty words.';

/** A request body in one wire format, for the alias `model`. */
function requestBody(format: 'chat' | 'messages' | 'responses', model: string, kind: CellResult['kind']): string {
  const messages = [{ role: 'user', content: PROMPT }];
  const body = format === 'chat' ? { model, messages } : format === 'messages' ? { model, max_tokens: 1024, messages } : { model, input: PROMPT };
  return JSON.stringify(kind === 'stream' ? { ...body, stream: true } : body);
}

/** One side of a protocol's comparison: where the request goes, and in which wire format. */
interface Target {
  target: CellResult['target'];
  /** The measured server's process (gateway, floor or peer); none for the direct call. */
  pid?: number;
  url: string;
  headers: Record<string, string>;
  format: 'chat' | 'messages' | 'responses';
  model: string;
}

function cellOf(target: CellResult['target'], protocol: CellResult['protocol'], kind: CellResult['kind'], concurrency: number, load: Awaited<ReturnType<typeof runLoad>>): CellResult {
  return {
    target,
    protocol,
    kind,
    concurrency,
    requests: load.requests,
    errors: load.errors,
    ...(load.firstError ? { firstError: load.firstError } : {}),
    requestsPerSecond: (load.requests * 1000) / load.durationMs,
    p50Ms: percentile(load.latenciesMs, 50),
    p99Ms: percentile(load.latenciesMs, 99),
    ttfbP50Ms: percentile(load.ttfbMs, 50),
    ttfbP99Ms: percentile(load.ttfbMs, 99),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      peers: { type: 'boolean', default: false },
      soak: { type: 'boolean', default: false },
      minutes: { type: 'string', default: '30' },
    },
  });
  // Hard stop: whatever happens, the bench never outlives this bound (children are killed on exit).
  const hardLimitMinutes = values.soak ? Number(values.minutes) + 5 : 25;
  setTimeout(() => {
    process.stderr.write(`bench: still running after ${hardLimitMinutes} minutes; giving up\n`);
    process.exit(1);
  }, hardLimitMinutes * 60_000).unref();
  const settings = values.quick ? QUICK : FULL;
  const loadBefore = loadavg();
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  try {
    if (values.peers) installPeers();
    const pin = cpuPinning(cpus().length);
    const upstream = await startUpstreamProcess(STREAM_INTERVAL_MS);
    const dataDir = join(work, 'data');
    const configPath = join(work, 'switchyard.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        providers: {
          upstream: { type: 'openai', baseUrl: upstream.url },
          responses: { type: 'openai', baseUrl: upstream.url, responsesApi: true },
          claude: { type: 'anthropic', baseUrl: upstream.url.replace(/\/v1$/, ''), apiKeySecret: 'claude' },
        },
        models: {
          bench: { targets: [{ provider: 'upstream', model: 'gpt-4o-mini' }] },
          'bench-responses': { targets: [{ provider: 'responses', model: 'gpt-4o-mini' }] },
          'bench-claude': { targets: [{ provider: 'claude', model: 'claude-sonnet-4-5' }] },
        },
      }),
    );
    // The Anthropic provider's key, which `switchyard serve` reads from its environment.
    process.env.SWITCHYARD_SECRET_CLAUDE = 'sk-ant-bench';
    // A real key with a budget, so every request reserves and settles spend (budgets on).
    const created = JSON.parse(await runCli(['keys', 'create', '--name', 'bench', '--budget', '1000000', '--period', 'month', '--json', '--data-dir', dataDir])) as { key: string };
    if (values.soak) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      await runSoak({ configPath, dataDir, key: created.key, pin, resultsDir: RESULTS_DIR }, Number(values.minutes));
      return;
    }
    // Cold start and the store first, on a rested machine: measured after the load cells instead,
    // this VM gave 191–208 ms of module init and 4,200–4,800 pairs/s, against 141–145 ms and
    // 6,050–6,360 pairs/s measured alone minutes later.
    const coldStart = await measureColdStart(settings.coldStartRuns, work, upstream.url);
    process.stdout.write(`cold start: ${JSON.stringify(coldStart)}\n`);
    const storeThroughput = await measureStoreThroughput(values.quick ? 200 : 3_000, 1_000_000);
    process.stdout.write(`embedded store: ${storeThroughput.pairsPerSecond.toFixed(0)} reserve + settle pairs/s\n`);
    const profileDir = join(RESULTS_DIR, 'profiles');
    if (values.profile) mkdirSync(profileDir, { recursive: true });
    const gateway = await startGatewayProcess(
      ['--config', configPath, '--data-dir', dataDir, '--log-level', 'warn'],
      values.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
      pin,
    );
    const floor = await startFloorProxy(upstream.url, pin);
    const peer: PeerProcess | undefined = values.peers ? await startPortkey(pin) : undefined;

    const cells: CellResult[] = [];
    const anthropicHeaders = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
    const json = { 'content-type': 'application/json' };
    const gatewayBearer = { ...json, authorization: `Bearer ${created.key}` };
    const directChat: Target = { target: 'direct', url: `${upstream.url}/chat/completions`, headers: json, format: 'chat', model: 'bench' };
    const onGateway = (path: string, headers: Record<string, string>, format: Target['format'], model: string): Target => ({ target: 'gateway', pid: gateway.pid, url: `${gateway.url}${path}`, headers, format, model });
    // The floor forwards the direct call's request as it is, path and headers included.
    const onFloor = (direct: Target): Target => ({ ...direct, target: 'floor', pid: floor.pid, url: direct.url.replace(new URL(upstream.url).origin, floor.url) });
    // The peer sends the model name as the client gave it; the fake upstream answers any.
    const onPeer = (path: string, headers: Record<string, string>, format: Target['format'], model: string): Target[] => (peer ? [{ target: 'peer', pid: peer.pid, url: `${peer.url}${path}`, headers, format, model }] : []);
    const targetsOf = (protocol: CellResult['protocol']): Target[] => {
      switch (protocol) {
        case 'chat':
          return [directChat, onGateway('/v1/chat/completions', gatewayBearer, 'chat', 'bench'), onFloor(directChat), ...onPeer('/v1/chat/completions', { ...json, authorization: 'Bearer sk-bench', ...portkeyHeaders('openai', upstream.url) }, 'chat', 'gpt-4o-mini')];
        case 'messages': {
          const direct: Target = { target: 'direct', url: `${upstream.url}/messages`, headers: { ...anthropicHeaders, 'x-api-key': 'sk-ant-bench' }, format: 'messages', model: 'bench-claude' };
          return [
            direct,
            onGateway('/v1/messages', { ...anthropicHeaders, 'x-api-key': created.key }, 'messages', 'bench-claude'),
            onFloor(direct),
            ...onPeer('/v1/messages', { ...anthropicHeaders, 'x-api-key': 'sk-ant-bench', ...portkeyHeaders('anthropic', upstream.url) }, 'messages', 'claude-sonnet-4-5'),
          ];
        }
        case 'responses': {
          const direct: Target = { target: 'direct', url: `${upstream.url}/responses`, headers: json, format: 'responses', model: 'bench-responses' };
          return [
            direct,
            onGateway('/v1/responses', gatewayBearer, 'responses', 'bench-responses'),
            onFloor(direct),
            ...onPeer('/v1/responses', { ...json, authorization: 'Bearer sk-bench', ...portkeyHeaders('openai', upstream.url) }, 'responses', 'gpt-4o-mini'),
          ];
        }
        case 'responses-translated':
          // The same answer asked directly of the chat-only upstream, and as a Responses client
          // through the gateway (the peer does not translate the Responses API to chat servers;
          // the floor forwards the chat request, translating nothing).
          return [directChat, onGateway('/v1/responses', gatewayBearer, 'responses', 'bench'), onFloor(directChat)];
      }
    };
    for (const protocol of PROTOCOLS) {
      const targets = targetsOf(protocol);
      for (const kind of KINDS) {
        for (const { url, headers, format, model } of targets) {
          // Warm-up: JIT, connection pools and the key cache, so cells measure the steady state.
          await runLoad({ url, headers, body: requestBody(format, model, kind), concurrency: 16, maxRequests: settings.warmupRequests, maxDurationMs: settings.warmupMs });
        }
        for (const concurrency of CONCURRENCY) {
          for (const { target, pid, url, headers, format, model } of targets) {
            const spec: LoadSpec = { url, headers, body: requestBody(format, model, kind), concurrency, maxRequests: settings.maxRequests, maxDurationMs: settings.maxDurationMs };
            const cpuBefore = pid === undefined ? 0 : cpuMs(pid);
            const upstreamCpuBefore = cpuMs(upstream.pid);
            const load = await runLoad(spec);
            const cell = cellOf(target, protocol, kind, concurrency, load);
            // Usage events and settlement run after each response: let them finish before reading.
            await sleep(values.quick ? 50 : 300);
            cell.upstreamCpuPerRequestMs = (cpuMs(upstream.pid) - upstreamCpuBefore) / Math.max(1, load.requests);
            if (pid !== undefined) {
              cell.cpuPerRequestMs = (cpuMs(pid) - cpuBefore) / Math.max(1, load.requests);
              const memory = memoryMiB(pid);
              cell.rssMiB = memory.rss;
              cell.peakRssMiB = memory.peak;
            }
            cells.push(cell);
            process.stdout.write(`${target.padEnd(7)} ${protocol.padEnd(8)} ${kind.padEnd(6)} c=${String(concurrency).padEnd(3)} ${cell.requests} req, ${cell.requestsPerSecond.toFixed(0)} req/s, p50 ${cell.p50Ms.toFixed(2)} ms, TTFB p50 ${cell.ttfbP50Ms.toFixed(2)} ms${cell.cpuPerRequestMs !== undefined ? `, CPU ${cell.cpuPerRequestMs.toFixed(3)} ms/req` : ''}${cell.errors ? `, ${cell.errors} errors (${cell.firstError})` : ''}\n`);
          }
        }
      }
    }
    await gateway.stop();
    floor.stop();
    peer?.stop();

    upstream.child.disconnect();
    const result: BenchResult = {
      mode: values.quick ? 'quick' : 'full',
      startedAt: new Date().toISOString(),
      machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
      settings: { streamIntervalMs: STREAM_INTERVAL_MS, eventsPerStream: CONTENT_CHUNKS + 4, maxDurationMs: settings.maxDurationMs, maxRequests: settings.maxRequests },
      ...(peer ? { peer: peerDescription() } : {}),
      pinned: pin.length > 0,
      cells,
      added: addedLatency(cells),
      coldStart,
      storeThroughput,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const name = values.quick ? 'quick' : 'latest';
    writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
    const markdown = toMarkdown(result);
    writeFileSync(join(RESULTS_DIR, `${name}.md`), markdown);
    const chart = renderChart(result);
    if (chart) writeFileSync(join(RESULTS_DIR, `${name}.svg`), chart);
    process.stdout.write(`\n${markdown}\nWritten to bench/results/${name}.json and ${name}.md\n`);
    if (cells.some((cell) => cell.requests === 0 || cell.errors > 0)) throw new Error('Some requests failed; see the errors above.');
  } finally {
    killChildren();
    rmSync(work, { recursive: true, force: true });
  }
}


main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
