import { startGatewayHarness, type GatewayHarness } from '../helpers/gateway-harness';
import { ANSWER_PREFIX, CODEX_EXEC, TASK_TOKEN, anthropicAgentTurn, responsesAgentTurn, runCodex } from '../helpers/coding-agent';
import { startScriptedUpstreams, type ScriptedUpstreams } from '../helpers/scripted-upstreams';

// Codex CLI itself (the pinned npm release in test/e2e/agents, `codex exec`) through the local
// server's Responses API: a task that needs its shell tool, against a scripted fake Anthropic
// upstream (the Responses request translated to Claude and the answer back to Responses events)
// and a scripted fake Responses upstream (passed through natively).

jest.setTimeout(180_000);

const ANTHROPIC_KEY = 'sk-ant-provider-key';
const OPENAI_KEY = 'sk-openai-provider-key';

describe('Codex CLI through switchyard serve', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['anthropic', 'openai']);
    harness = await startGatewayHarness({
      config: {
        providers: {
          // Codex also offers the model its hosted web search and a sub-agent tool namespace, which
          // no Claude can run: the provider leaves them out instead of refusing the request.
          anthropic: { type: 'anthropic', baseUrl: up.upstreams.anthropic?.url, apiKeySecret: 'anthropic', dropUnsupportedParams: true },
          // An OpenAI-compatible server that speaks the Responses API: Codex's requests pass through.
          openai: { type: 'openai', baseUrl: up.baseUrl('openai'), apiKeySecret: 'openai', responsesApi: true },
        },
        models: {
          'claude-coder': { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5', price: { input: 3, output: 15 } }] },
          'gpt-coder': { targets: [{ provider: 'openai', model: 'gpt-5-codex', price: { input: 1.25, output: 10 } }] },
        },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_ANTHROPIC: ANTHROPIC_KEY, SWITCHYARD_SECRET_OPENAI: OPENAI_KEY },
      key: { name: 'codex', budget: { usd: 50, period: 'month' } },
    });
  });
  beforeEach(() => up.reset());
  afterAll(async () => {
    await harness?.close();
    await up?.close();
  });

  it('completes a shell task on an Anthropic target: the Responses request translated to Claude, its tool use back as a function call', async () => {
    up.script('anthropic', anthropicAgentTurn(ANTHROPIC_KEY, CODEX_EXEC));

    const run = await runCodex({ baseUrl: harness.baseURL, key: harness.key, model: 'claude-coder' });

    expect(run).toMatchObject({ code: 0, taskFile: TASK_TOKEN });
    expect(run.stdout).toContain(ANSWER_PREFIX);
    expect(run.stdout).toContain(TASK_TOKEN);
    const requests = up.upstreams.anthropic?.requests ?? [];
    expect(requests).toHaveLength(2);
    const tools = (requests[0]?.json as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name);
    expect(tools).toContain('exec_command');
    const events = await harness.usageEvents();
    expect(events).toHaveLength(2);
    for (const event of events) expect(event).toMatchObject({ endpoint: '/v1/responses', status: 'ok', provider: 'anthropic', model_requested: 'claude-coder', stream: true });
  });

  it('completes the same task on a Responses target: Codex’s requests passed through, the function call relayed as sent', async () => {
    up.script('openai', responsesAgentTurn(OPENAI_KEY, CODEX_EXEC));

    const run = await runCodex({ baseUrl: harness.baseURL, key: harness.key, model: 'gpt-coder' });

    expect(run).toMatchObject({ code: 0, taskFile: TASK_TOKEN });
    expect(run.stdout).toContain(TASK_TOKEN);
    const requests = up.upstreams.openai?.requests ?? [];
    expect(requests.map((request) => request.url)).toEqual(['/v1/responses', '/v1/responses']);
    // Passed through: Codex's own fields reach the target as sent.
    expect(requests[0]?.json).toMatchObject({ model: 'gpt-5-codex', stream: true, include: ['reasoning.encrypted_content'], tools: expect.arrayContaining([expect.objectContaining({ type: 'web_search' })]) });
    expect((requests[1]?.json as { input: Array<{ type?: string; call_id?: string }> }).input).toContainEqual(expect.objectContaining({ type: 'function_call_output', call_id: 'call_agent_1' }));
  });
});
