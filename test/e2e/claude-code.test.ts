import { startGatewayHarness, type GatewayHarness } from '../helpers/gateway-harness';
import { ANSWER_PREFIX, TASK_TOKEN, anthropicAgentTurn, installedClaudeCodeVersion, openAiAgentTurn, pinnedClaudeCodeVersion, runClaudeCode } from '../helpers/coding-agent';
import { startScriptedUpstreams, type ScriptedUpstreams } from '../helpers/scripted-upstreams';

// Claude Code itself (the pinned npm release in test/e2e/agents, `claude -p`) through the local
// server: a task that needs its Bash tool, against a scripted fake Anthropic upstream (native
// pass-through) and a scripted fake OpenAI-compatible upstream (translated both ways). The Lambda
// bundle case is in lambda-bundles.test.ts.

jest.setTimeout(180_000);

const ANTHROPIC_KEY = 'sk-ant-provider-key';
const OPENAI_KEY = 'sk-openai-provider-key';

describe('Claude Code through switchyard serve', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['anthropic', 'openai']);
    harness = await startGatewayHarness({
      config: {
        providers: {
          anthropic: { type: 'anthropic', baseUrl: up.upstreams.anthropic?.url, apiKeySecret: 'anthropic' },
          openai: { type: 'openai', baseUrl: up.baseUrl('openai'), apiKeySecret: 'openai' },
        },
        models: {
          // Claude Code asks for its own model ids (claude-opus-5-5, …): a pattern catches them.
          'claude-*': { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5', price: { input: 3, output: 15 } }] },
          'gpt-coder': { targets: [{ provider: 'openai', model: 'gpt-4o', price: { input: 2.5, output: 10 } }] },
        },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_ANTHROPIC: ANTHROPIC_KEY, SWITCHYARD_SECRET_OPENAI: OPENAI_KEY },
      key: { name: 'claude-code', budget: { usd: 50, period: 'month' } },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await up?.close();
  });
  beforeEach(() => up.reset());

  it('runs the pinned Claude Code release', async () => {
    await expect(installedClaudeCodeVersion()).resolves.toBe(pinnedClaudeCodeVersion());
  });

  it('completes a Bash task on an Anthropic target: the key in x-api-key, the request passed through natively', async () => {
    up.script('anthropic', anthropicAgentTurn(ANTHROPIC_KEY));

    const run = await runClaudeCode({ baseUrl: harness.url, key: harness.key, auth: 'x-api-key' });

    expect(run).toMatchObject({ code: 0, taskFile: TASK_TOKEN });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.stdout).toContain(`${ANSWER_PREFIX}${TASK_TOKEN}`);
    const requests = up.upstreams.anthropic?.requests ?? [];
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.url).toBe('/v1/messages');
      // Claude Code's own fields reach Anthropic as sent, and its betas are forwarded.
      expect(request.json).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 64_000, stream: true, thinking: expect.any(Object), tools: expect.arrayContaining([expect.objectContaining({ name: 'Bash' })]) });
      expect(request.headers['anthropic-beta']).toContain('claude-code-20250219');
      expect(request.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    }
    const events = await harness.usageEvents();
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event).toMatchObject({ endpoint: '/v1/messages', status: 'ok', http_status: 200, provider: 'anthropic', provider_model: 'claude-sonnet-4-5', model_requested: expect.stringMatching(/^claude-/), key_id: harness.keyId, stream: true, input_tokens: 1200, output_tokens: 20 });
      expect(event.cost_usd).toBeGreaterThan(0);
    }
  });

  it('completes the same task on an OpenAI-compatible target, with the key as a bearer token: tool use translated both ways', async () => {
    up.script('openai', openAiAgentTurn(OPENAI_KEY));

    const run = await runClaudeCode({ baseUrl: harness.url, key: harness.key, auth: 'bearer', model: 'gpt-coder' });

    expect(run).toMatchObject({ code: 0, taskFile: TASK_TOKEN });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.stdout).toContain(`${ANSWER_PREFIX}${TASK_TOKEN}`);
    const requests = up.upstreams.openai?.requests ?? [];
    expect(requests).toHaveLength(2);
    const [first, second] = requests.map((request) => request.json as { model: string; max_tokens: number; tools: Array<{ function: { name: string } }>; messages: Array<{ role: string; tool_call_id?: string; content?: unknown }> });
    expect(first).toMatchObject({ model: 'gpt-4o', max_tokens: 16_384 });
    expect(first?.tools.map((tool) => tool.function.name)).toContain('Bash');
    // The second turn carries Claude Code's tool result as an OpenAI tool message for the call.
    expect(second?.messages.find((message) => message.role === 'tool')).toMatchObject({ tool_call_id: 'call_e2e_1', content: expect.stringContaining(TASK_TOKEN) });
    const events = await harness.usageEvents();
    expect(events.filter((event) => event.provider === 'openai')).toEqual([
      expect.objectContaining({ endpoint: '/v1/messages', status: 'ok', model_requested: 'gpt-coder', provider_model: 'gpt-4o', input_tokens: 1200, output_tokens: 20 }),
      expect.objectContaining({ endpoint: '/v1/messages', status: 'ok', model_requested: 'gpt-coder', provider_model: 'gpt-4o', input_tokens: 1200, output_tokens: 20 }),
    ]);
  });
});
