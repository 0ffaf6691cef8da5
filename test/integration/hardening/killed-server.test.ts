import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';
import { readUsageEvents } from '../../helpers/gateway-harness';

// Issue 16, "no leaked reservations", from outside: `switchyard serve` is killed (SIGKILL: no
// handler runs) while it streams a budgeted request. The reservation must not stay held: once its
// expiry (the request's deadline plus the grace) has passed, the server releases it — at start-up
// when it comes back after the expiry, or on its periodic sweep when it is already running —
// charged at its estimate, with the usage event the dead request never wrote.

const ROOT = join(__dirname, '..', '..', '..');
const TOTAL_MS = 5_000;
const GRACE_MS = 1_000;
const MAX_TOKENS = 50;
// 1 micro-USD per input token, 2 per output token.
const PRICE = { input: 1, output: 2 };

jest.setTimeout(60_000);

let upstream: FakeUpstream;
let root: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchyard-killed-'));
  // Streams a first chunk, then never another: the server is killed while it waits.
  upstream = await startFakeUpstream((_request, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const first = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'fake-model', choices: [{ index: 0, delta: { role: 'assistant', content: 'Working' }, finish_reason: null }] };
    res.write(`data: ${JSON.stringify(first)}\n\n`);
  });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await upstream?.close();
  await rm(root, { recursive: true, force: true });
});

const cli = (args: string[]): Promise<string> => promisify(execFile)(process.execPath, ['bin/switchyard-cli.js', ...args], { cwd: ROOT }).then(({ stdout }) => stdout);

/** A data dir with a config routing `fast` to the stalling upstream, and a key with a budget. */
async function setUp(name: string, sweepIntervalMs: number): Promise<{ dataDir: string; config: string; key: string; keyId: string }> {
  const dataDir = join(root, name);
  const config = join(root, `${name}.config.json`);
  await writeFile(
    config,
    JSON.stringify({
      providers: { fake: { type: 'openai', baseUrl: `${upstream.url}/v1` } },
      models: { fast: { targets: [{ provider: 'fake', model: 'fake-model', price: PRICE }] } },
      timeouts: { totalMs: TOTAL_MS },
      budgets: { releaseGraceMs: GRACE_MS, sweepIntervalMs },
    }),
  );
  const created = JSON.parse(await cli(['keys', 'create', '--name', 'agent', '--budget', '10', '--data-dir', dataDir, '--config', config, '--json'])) as { key: string; keyId: string };
  return { dataDir, config, ...created };
}

/** Starts `switchyard serve` and resolves with its URL once it listens. */
async function serve(dataDir: string, config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/switchyard-cli.js', 'serve', '--config', config, '--port', '0', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

/** Spend of the key's month budget, as `switchyard keys show --json` reports it. */
async function spendOf(dataDir: string, keyId: string): Promise<{ spentUsd: number; reservedUsd: number }> {
  const shown = JSON.parse(await cli(['keys', 'show', keyId, '--data-dir', dataDir, '--json'])) as { spend: { scope: string; spentUsd: number; reservedUsd: number }[] };
  const entry = shown.spend.find((e) => e.scope === `key#${keyId}`);
  if (!entry) throw new Error('no key budget in keys show');
  return { spentUsd: entry.spentUsd, reservedUsd: entry.reservedUsd };
}

/** Starts a streamed request, waits for its first chunk, then kills the server (SIGKILL). */
async function killMidStream(url: string, key: string, child: ChildProcess): Promise<string> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
  const content = 'Refactor the module. '.repeat(20);
  const stream = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content }], max_tokens: MAX_TOKENS, stream: true, user: 'alice' }).withResponse();
  const iterator = stream.data[Symbol.asyncIterator]();
  expect((await iterator.next()).value?.choices[0]?.delta.content).toBe('Working');
  child.kill('SIGKILL');
  await once(child, 'exit');
  children.delete(child);
  await expect(iterator.next()).rejects.toThrow();
  return stream.response.headers.get('x-request-id') as string;
}

/** The estimate a released request is charged: its body at four bytes a token, and the whole output limit. */
function estimateUsd(): { minUsd: number; maxUsd: number } {
  // The SDK's body is a little larger than the content (the JSON around it): bound the estimate.
  const content = 'Refactor the module. '.repeat(20).length;
  const least = Math.ceil(content / 4) * PRICE.input + MAX_TOKENS * PRICE.output;
  return { minUsd: least / 1e6, maxUsd: (least + 100 * PRICE.input) / 1e6 };
}

describe('a server killed mid-stream', () => {
  it('comes back after the expiry and releases the reservation at start-up, charged at its estimate, with the request’s usage event', async () => {
    const { dataDir, config, key, keyId } = await setUp('restart-late', 60_000);
    const first = await serve(dataDir, config);
    const requestId = await killMidStream(first.url, key, first.child);
    const held = await spendOf(dataDir, keyId);
    expect(held.spentUsd).toBe(0);
    expect(held.reservedUsd).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, TOTAL_MS + GRACE_MS + 200));
    const second = await serve(dataDir, config);

    const released = await spendOf(dataDir, keyId);
    expect(released.reservedUsd).toBe(0);
    const { minUsd, maxUsd } = estimateUsd();
    expect(released.spentUsd).toBeGreaterThanOrEqual(minUsd);
    expect(released.spentUsd).toBeLessThanOrEqual(maxUsd);
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
    const events = (await readUsageEvents(dataDir)).filter((event) => event.request_id === requestId);
    expect(events).toEqual([
      expect.objectContaining({ key_id: keyId, user: 'alice', endpoint: '/v1/chat/completions', model_requested: 'fast', stream: true, status: 'error', error_type: 'reservation_expired', usage_estimated: true, output_tokens: MAX_TOKENS, cost_usd: released.spentUsd }),
    ]);
  });

  it('comes back at once: the reservation stays held until it expires, then the periodic sweep releases it', async () => {
    const { dataDir, config, key, keyId } = await setUp('restart-early', 200);
    const first = await serve(dataDir, config);
    const killedAt = Date.now();
    await killMidStream(first.url, key, first.child);
    const second = await serve(dataDir, config);

    // Until the dead request's deadline plus the grace have passed, its reservation is honoured.
    const beforeExpiry = await spendOf(dataDir, keyId);
    expect(Date.now() - killedAt).toBeLessThan(TOTAL_MS);
    expect(beforeExpiry).toMatchObject({ spentUsd: 0, reservedUsd: expect.any(Number) });
    expect(beforeExpiry.reservedUsd).toBeGreaterThan(0);

    let after = beforeExpiry;
    for (const deadline = Date.now() + 10_000; after.reservedUsd > 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await spendOf(dataDir, keyId);
    }
    expect(after.reservedUsd).toBe(0);
    expect(after.spentUsd).toBeGreaterThanOrEqual(estimateUsd().minUsd);
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  });
});
