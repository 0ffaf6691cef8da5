import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import type { CliIo } from '../../../functions/cli/cli-io';
import { runCli } from '../../../functions/cli/main';
import { reportCommand } from '../../../functions/cli/report-command';
import { serveCommand, type ServeResult } from '../../../functions/cli/serve-command';
import { readUsageEvents } from '../../helpers/gateway-harness';

/** Integer prices (USD per 1M tokens = micro-USD per token) make expected costs exact. */
const PRICE = { input: 3, output: 15 };
const config = {
  providers: {
    demo: { type: 'mock', text: 'The quick brown fox jumps over the lazy dog, twice over.', chunks: 4 },
    slow: { type: 'mock', text: 'word '.repeat(60), chunks: 60, delayMs: 20 },
    broken: { type: 'mock', error: { status: 500, message: 'upstream exploded' } },
  },
  models: {
    fast: { targets: [{ provider: 'demo', model: 'mock-fast', price: PRICE }] },
    slow: { targets: [{ provider: 'slow', model: 'mock-slow', price: PRICE }] },
    broken: { targets: [{ provider: 'broken', model: 'mock-broken', price: PRICE }] },
  },
  retry: { attempts: 1 },
};

interface TeamTotals {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_micro_usd: number;
}

function captureIo(cwd: string, dataDir: string): CliIo & { out: () => string } {
  let stdout = '';
  return { stdout: (text) => void (stdout += text), stderr: () => undefined, env: { SWITCHYARD_DATA_DIR: dataDir }, cwd, out: () => stdout };
}

describe('usage from `switchyard serve` to `switchyard report`', () => {
  let dir: string;
  let served: ServeResult | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-'));
  });
  afterAll(async () => {
    // Closes the server too when an assertion failed before the test closed it.
    await served?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports per-team totals equal to the sums of 200 mixed requests', async () => {
    const dataDir = join(dir, 'data');
    await writeFile(join(dir, 'switchyard.config.json'), JSON.stringify(config));
    const teams = ['search', 'search', 'payments', null] as const;
    const keys: string[] = [];
    for (const [index, team] of teams.entries()) {
      const io = captureIo(dir, dataDir);
      const code = await runCli(['keys', 'create', '--name', `key-${index}`, ...(team ? ['--team', team] : []), '--json'], io);
      expect(code).toBe(0);
      keys.push((JSON.parse(io.out()) as { key: string }).key);
    }
    served = await serveCommand(['--config', 'switchyard.config.json', '--port', '0', '--data-dir', dataDir], captureIo(dir, dataDir));
    const url = served.server.url;
    const expected = new Map<string | null, TeamTotals>();
    const add = (team: string | null, delta: Partial<TeamTotals>): void => {
      const totals = expected.get(team) ?? { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_micro_usd: 0 };
      for (const [name, value] of Object.entries(delta)) totals[name as keyof TeamTotals] += value;
      expected.set(team, totals);
    };
    const addUsage = (team: string | null, usage: OpenAI.CompletionUsage | undefined | null): void => {
      expect(usage).toBeDefined();
      const input = usage?.prompt_tokens ?? 0;
      const output = usage?.completion_tokens ?? 0;
      add(team, { input_tokens: input, output_tokens: output, cost_micro_usd: input * PRICE.input + output * PRICE.output });
    };

    /** Request `i`: mostly successes (plain and streamed), some 5xx, some 404, tags by header or metadata. */
    const send = async (i: number): Promise<void> => {
      const team = teams[i % teams.length] ?? null;
      add(team, { requests: 1 });
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: keys[i % keys.length], maxRetries: 0 });
      const kind = i % 10;
      const headers = i % 3 === 0 ? { 'x-switchyard-tags': 'service=search,feature=autocomplete' } : undefined;
      const metadata = i % 3 === 1 ? { service: 'chat' } : undefined;
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: `Question ${i}: ${'why '.repeat(i % 17)}` }];
      const model = kind === 8 ? 'broken' : kind === 9 ? 'no-such-model' : 'fast';
      try {
        if (kind >= 5 && kind <= 7) {
          const stream = await client.chat.completions.create({ model, messages, metadata, stream: true, stream_options: { include_usage: true } }, { headers });
          let usage: OpenAI.CompletionUsage | undefined | null;
          for await (const chunk of stream) usage = chunk.usage ?? usage;
          addUsage(team, usage);
        } else {
          const { data, response } = await client.chat.completions.create({ model, messages, metadata }, { headers }).withResponse();
          addUsage(team, data.usage);
          expect(Number(response.headers.get('x-switchyard-cost-usd'))).toBeCloseTo(((data.usage?.prompt_tokens ?? 0) * PRICE.input + (data.usage?.completion_tokens ?? 0) * PRICE.output) / 1e6, 6);
        }
      } catch (error) {
        if (!(error instanceof APIError)) throw error;
        const status = error.status ?? 0;
        expect(kind === 8 ? status >= 500 : status === 404).toBe(true);
        add(team, { errors: 1 });
      }
    };
    for (let batch = 0; batch < 199; batch += 10) {
      await Promise.all(Array.from({ length: Math.min(10, 199 - batch) }, (_, offset) => send(batch + offset)));
    }
    // Request 200: the client disconnects in the middle of a stream.
    const quitter = new OpenAI({ baseURL: `${url}/v1`, apiKey: keys[3], maxRetries: 0 });
    const slow = await quitter.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'Tell me a long story' }], stream: true });
    for await (const chunk of slow) if (chunk.choices[0]?.delta.content) break;
    add(null, { requests: 1 });
    await served.stop();
    served = undefined;

    const events = await readUsageEvents(dataDir);
    expect(events).toHaveLength(200);
    // The one request whose usage the client never saw: the server's estimate is what it charges.
    const closed = events.filter((event) => event.status === 'client_closed');
    expect(closed).toHaveLength(1);
    add(null, { input_tokens: closed[0]?.input_tokens ?? 0, output_tokens: closed[0]?.output_tokens ?? 0, cost_micro_usd: closed[0]?.cost_micro_usd ?? 0 });

    const today = new Date();
    const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const io = captureIo(dir, dataDir);
    await reportCommand(['--by', 'team', '--format', 'json', '--since', day(-1), '--until', day(1)], io);
    const rows = JSON.parse(io.out()) as (TeamTotals & { team: string | null; cost_usd: number })[];

    expect(rows).toHaveLength(expected.size);
    for (const row of rows) {
      const totals = expected.get(row.team);
      expect({ team: row.team, requests: row.requests, errors: row.errors, input_tokens: row.input_tokens, output_tokens: row.output_tokens, cost_micro_usd: row.cost_micro_usd }).toEqual({ team: row.team, ...totals });
      expect(row.cost_usd).toBe((totals?.cost_micro_usd ?? 0) / 1e6);
    }
    expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(200);

    // Attribution tags from the header (service=search) and from metadata (service=chat).
    const tagIo = captureIo(dir, dataDir);
    await reportCommand(['--by', 'tag:service', '--format', 'json', '--since', day(-1), '--until', day(1)], tagIo);
    const byTag = Object.fromEntries((JSON.parse(tagIo.out()) as { tag_value: string | null; requests: number }[]).map((row) => [String(row.tag_value), row.requests]));
    const sent = Array.from({ length: 199 }, (_, i) => i);
    expect(byTag).toEqual({
      search: sent.filter((i) => i % 3 === 0).length,
      chat: sent.filter((i) => i % 3 === 1).length,
      null: sent.filter((i) => i % 3 === 2).length + 1,
    });
  });
});
