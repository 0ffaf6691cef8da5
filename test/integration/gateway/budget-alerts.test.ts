import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../../functions/cli/main';
import type { BudgetAlert } from '../../../functions/core/alerts/budget-alerts';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';

// Budget alerts on the local server (issue 16, item 5), from outside: 25 concurrent requests
// through the OpenAI SDK take a key's settled spend across its thresholds; each threshold is
// alerted exactly once — a log line and one webhook call — and `budget show` reports it crossed.

// The upstream reports 20 input and 40 output tokens; at 1 and 2 micro-USD a token each request
// costs 100 micro-USD. 25 of them spend 2,500 of the 3,000 budget: past 25 %, 50 % and 75 %.
const PRICE = { input: 1, output: 2 };
const COST = 20 * PRICE.input + 40 * PRICE.output;
const REQUESTS = 25;
const LIMIT_USD = 0.003;

describe('budget alerts on the local server', () => {
  let upstream: FakeUpstream;
  let webhook: Server;
  const delivered: BudgetAlert[] = [];
  let harness: GatewayHarness;

  beforeAll(async () => {
    upstream = await startFakeUpstream((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: (request.json as { model: string }).model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 20, completion_tokens: 40, total_tokens: 60 },
        }),
      );
    });
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (part: Buffer) => (body += part.toString()));
      req.on('end', () => {
        delivered.push(JSON.parse(body) as BudgetAlert);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    harness = await startGatewayHarness({
      config: {
        providers: { fake: { type: 'openai', baseUrl: `${upstream.url}/v1` } },
        models: { fast: { targets: [{ provider: 'fake', model: 'fake-model', price: PRICE }] } },
        budgets: { alerts: [25, 50, 75], alertWebhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts` },
      },
      key: { name: 'alerted', budget: { usd: LIMIT_USD, period: 'month' } },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await upstream?.close();
    await new Promise((resolve) => webhook?.close(resolve));
  });

  it('alerts each threshold exactly once under concurrent requests, by log line and webhook', async () => {
    const client = harness.client();
    await Promise.all(Array.from({ length: REQUESTS }, () => client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Say ok.' }], max_tokens: 100 })));
    await harness.usageEvents();
    // Each alert is logged when it is sent, then POSTed: wait (bounded) for the webhook calls.
    for (let poll = 0; poll < 100 && delivered.length < 3; poll += 1) await new Promise((resolve) => setTimeout(resolve, 20));

    const scope = `key#${harness.keyId}`;
    const periodKey = new Date().toISOString().slice(0, 7);
    expect(delivered.map((alert) => alert.thresholdPercent).sort((a, b) => a - b)).toEqual([25, 50, 75]);
    for (const alert of delivered) {
      expect(alert).toMatchObject({ scope, owner: `key ${harness.keyId}`, periodKey, limitUsd: LIMIT_USD });
      // Reported with the settled spend right after the crossing: at or past the threshold, by less than one request.
      const threshold = (LIMIT_USD * alert.thresholdPercent) / 100;
      expect(alert.spentUsd).toBeGreaterThanOrEqual(threshold);
      expect(alert.spentUsd).toBeLessThan(threshold + COST / 1e6);
    }
    const logged = harness.logs.filter((line) => line.message.startsWith('budget alert:'));
    expect(logged.map((line) => line.message)).toEqual(expect.arrayContaining([expect.stringContaining(`Budget of key ${harness.keyId} reached 75% in ${periodKey}`)]));
    expect(logged).toHaveLength(3);

    // The budget's status: spend, remaining and the thresholds crossed this period.
    let shown = '';
    await runCli(['budget', 'show', '--key', harness.keyId, '--data-dir', harness.dataDir], { stdout: (text) => (shown += text), stderr: () => undefined, env: {}, cwd: harness.dataDir });
    expect(shown).toBe(`${scope} month ${periodKey}: spent $${((REQUESTS * COST) / 1e6).toFixed(6)}, reserved $0.000000, remaining $${(LIMIT_USD - (REQUESTS * COST) / 1e6).toFixed(6)} of $${LIMIT_USD.toFixed(6)}; crossed 25%, 50%, 75%\n`);
  });
});
