import { readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { AuditRecord } from '../../../functions/core/audit/audit-record';
import { SseTranscript } from '../../../functions/core/audit/stream-transcript';
import { ResponsesAssembler } from '../../../functions/core/protocols/openai-responses/transcript';
import { runCli } from '../../../functions/cli/main';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { SHARED_DIR } from '../../helpers/openai-schemas';
import { rawSse, startScriptedUpstreams, type ScriptedUpstreams } from '../../helpers/scripted-upstreams';

// The audit trail (DESIGN §5 "Audit log") driven by the official clients: full records of a
// streamed request in each protocol, reassembled, compared with what the clients themselves
// assembled; the levels of key, team and default; no key material anywhere in the records; and
// `switchyard audit show` / `audit search` over the files the server wrote.

const fixture = (provider: string, file: string): string => readFileSync(join(SHARED_DIR, 'fixtures', provider, file), 'utf8');
const OPENAI_KEY = 'sk-proj-AuditTestOpenAiKey0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-api03-AuditTestAnthropicKey0123456789';

describe('audit trail', () => {
  let up: ScriptedUpstreams;
  let harness: GatewayHarness;
  let fullKey: string;
  let fullKeyId: string;
  let quietKey: string;

  beforeAll(async () => {
    up = await startScriptedUpstreams(['openai', 'anthropic']);
    harness = await startGatewayHarness({
      config: {
        providers: {
          openai: { type: 'openai', baseUrl: up.baseUrl('openai'), apiKeySecret: 'openai' },
          anthropic: { type: 'anthropic', baseUrl: up.upstreams.anthropic?.url, apiKeySecret: 'anthropic' },
        },
        models: {
          reasoner: { targets: [{ provider: 'openai', model: 'deepseek-reasoner' }] },
          claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', maxOutputTokens: 8000 }] },
        },
        retry: { attempts: 1 },
        audit: { default: 'metadata' },
      },
      env: { SWITCHYARD_SECRET_OPENAI: OPENAI_KEY, SWITCHYARD_SECRET_ANTHROPIC: ANTHROPIC_KEY },
      key: { name: 'default-level' },
    });
    ({ key: fullKey, keyId: fullKeyId } = await harness.createKey({ name: 'audited', team: 'compliance', audit: 'full' }));
    await harness.local.keyStore.putTeam({ team: 'quiet', audit: 'none' });
    ({ key: quietKey } = await harness.createKey({ name: 'quiet', team: 'quiet' }));
  });
  afterAll(async () => {
    await harness.close();
    await up.close();
  });
  beforeEach(() => up.reset());

  /** Every audit record written so far, by request id. */
  async function auditRecords(): Promise<Map<string, AuditRecord>> {
    await harness.server.idle();
    await harness.local.auditSink.flush();
    const records = new Map<string, AuditRecord>();
    for (const text of await auditFileTexts()) {
      for (const line of text.split('\n')) {
        if (!line) continue;
        const record = JSON.parse(line) as AuditRecord;
        records.set(record.request_id, record);
      }
    }
    return records;
  }
  async function auditFileTexts(): Promise<string[]> {
    const root = join(harness.dataDir, 'audit');
    const texts: string[] = [];
    for (const day of await readdir(root).catch(() => [] as string[])) {
      for (const file of await readdir(join(root, day))) texts.push(await readFile(join(root, day, file), 'utf8'));
    }
    return texts;
  }
  async function recordOf(requestId: string | null | undefined): Promise<AuditRecord> {
    const record = (await auditRecords()).get(String(requestId));
    if (!record) throw new Error(`no audit record of ${requestId}`);
    return record;
  }
  /** An OpenAI SDK client that remembers the `x-request-id` of its last response (its stream helpers do not expose headers). */
  function openAiClient(key: string): { client: OpenAI; lastRequestId(): string | null } {
    let requestId: string | null = null;
    const client = new OpenAI({
      baseURL: harness.baseURL,
      apiKey: key,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        requestId = response.headers.get('x-request-id');
        return response;
      },
    });
    return { client, lastRequestId: () => requestId };
  }
  const json = (text: string | null): Record<string, unknown> => JSON.parse(String(text)) as Record<string, unknown>;

  it('keeps a streamed chat completion whole: reasoning, text and tool call as the OpenAI SDK assembled them', async () => {
    up.script('openai', rawSse(fixture('openai', 'variant-deepseek-tool-call.sse')));
    const { client, lastRequestId } = openAiClient(fullKey);
    const stream = client.chat.completions.stream({
      model: 'reasoner',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const final = await stream.finalChatCompletion();
    const requestId = lastRequestId();

    const record = await recordOf(requestId);
    const response = json(record.response_body) as { choices: { message: Record<string, unknown>; finish_reason: string }[]; usage: unknown };
    const message = response.choices[0]?.message ?? {};
    const sent = final.choices[0]?.message;
    expect(message.content ?? null).toEqual(sent?.content ?? null);
    const sentCalls = (sent?.tool_calls ?? []) as { id: string; type: string; function: { name: string; arguments: string } }[];
    expect(message.tool_calls).toEqual(sentCalls.map(({ id, type, function: fn }) => ({ id, type, function: { name: fn.name, arguments: fn.arguments } })));
    expect((message.tool_calls as unknown[]).length).toBeGreaterThan(0);
    // The reasoning the provider streamed, which the SDK does not assemble: every delta, in order.
    const reasoning = fixture('openai', 'variant-deepseek-tool-call.sse')
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: { delta?: { reasoning_content?: string } }[] }).choices[0]?.delta?.reasoning_content ?? '')
      .join('');
    expect(reasoning.length).toBeGreaterThan(20);
    expect(message.reasoning_content).toBe(reasoning);
    expect(response.choices[0]?.finish_reason).toBe(final.choices[0]?.finish_reason);
    expect(response.usage).toEqual(final.usage);
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
    expect(record).toMatchObject({ audit_level: 'full', key_id: fullKeyId, key_name: 'audited', team: 'compliance', endpoint: '/v1/chat/completions', method: 'POST', stream: true, status: 'ok', http_status: 200, model_requested: 'reasoner', provider: 'openai', provider_model: 'deepseek-reasoner', request_truncated: false, response_truncated: false });
    expect(json(record.request_body)).toMatchObject({ model: 'reasoner', stream: true, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
  });

  it('keeps a streamed Anthropic message whole: the same content blocks as the Anthropic SDK’s final message', async () => {
    up.script('anthropic', rawSse(fixture('anthropic', 'text-then-tool.sse')));
    const anthropic = new Anthropic({ baseURL: harness.url, apiKey: fullKey, maxRetries: 0 });
    const stream = anthropic.messages.stream(
      { model: 'claude', max_tokens: 1024, messages: [{ role: 'user', content: 'Report the weather as JSON.' }], metadata: { user_id: 'user-42' } },
      { headers: { 'x-switchyard-tags': 'feature=weather' } },
    );
    const final = await stream.finalMessage();
    const requestId = (await stream.withResponse()).response.headers.get('x-request-id');

    const record = await recordOf(requestId);
    const message = json(record.response_body);
    expect(message.content).toEqual(final.content);
    expect(final.content.map((block) => block.type)).toEqual(['text', 'tool_use']);
    expect(message.stop_reason).toBe(final.stop_reason);
    expect(message.usage).toEqual(final.usage);
    expect(message.id).toBe(final.id);
    expect(record).toMatchObject({ endpoint: '/v1/messages', user: 'user-42', tags: { feature: 'weather' }, status: 'ok' });
  });

  it('keeps a streamed Responses answer translated from Anthropic, thinking included, as the OpenAI SDK’s final response', async () => {
    up.script('anthropic', rawSse(fixture('anthropic', 'thinking-signature.sse')));
    const { client, lastRequestId } = openAiClient(fullKey);
    const stream = client.responses.stream({ model: 'claude', input: 'Think, then answer.', reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] });
    const final = await stream.finalResponse();
    const requestId = lastRequestId();

    const record = await recordOf(requestId);
    const response = json(record.response_body);
    // The SDK adds `parsed` (its structured-output helper) to each output text; the wire has none.
    const received = JSON.parse(JSON.stringify(final.output, (key, value: unknown) => (key === 'parsed' ? undefined : value))) as unknown;
    expect(response.output).toEqual(received);
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.usage).toEqual(final.usage);
    expect(record).toMatchObject({ endpoint: '/v1/responses', stream: true, status: 'ok' });
  });

  it('rebuilds the output items of a Responses stream that never reached its terminal event, from any split of the bytes', async () => {
    up.script('anthropic', rawSse(fixture('anthropic', 'thinking-signature.sse')));
    const answer = await fetch(`${harness.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fullKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', input: 'Think, then answer.', stream: true }),
    });
    const sse = await answer.text();
    const cut = sse.slice(0, sse.indexOf('event: response.completed'));
    const completed = JSON.parse(/event: response\.completed\ndata: (.*)\n/.exec(sse)?.[1] ?? '{}') as { response: { output: unknown[] } };
    for (const pieceSize of [cut.length, 7, 1]) {
      const transcript = new SseTranscript(new ResponsesAssembler());
      const bytes = new TextEncoder().encode(cut);
      for (let at = 0; at < bytes.length; at += pieceSize) transcript.push(bytes.subarray(at, at + pieceSize));
      expect(transcript.result().output).toEqual(completed.response.output);
    }
  });

  it('keeps a whole (non-streamed) answer as sent, and a rejected request with its error', async () => {
    const anthropic = new Anthropic({ baseURL: harness.url, apiKey: fullKey, maxRetries: 0 });
    up.script('anthropic', (_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fixture('anthropic', 'nonstream/text.json'));
    });
    const { data: message, response } = await anthropic.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(json((await recordOf(response.headers.get('x-request-id'))).response_body)).toEqual(JSON.parse(JSON.stringify(message)));

    const refused = await fetch(`${harness.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fullKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'reasoner', messages: 'not a list' }),
    });
    expect(refused.status).toBe(400);
    const record = await recordOf(refused.headers.get('x-request-id'));
    expect(record).toMatchObject({ status: 'error', http_status: 400, error_type: 'invalid_value' });
    expect(json(record.request_body)).toEqual({ model: 'reasoner', messages: 'not a list' });
    expect(json(record.response_body)).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('applies the key’s level, else the team’s, else the default; unauthenticated requests get metadata only', async () => {
    const metadataOnly = await harness.client().chat.completions.create({ model: 'reasoner', messages: [{ role: 'user', content: 'secret plans' }] }).withResponse();
    const quiet = await harness.client(quietKey).chat.completions.create({ model: 'reasoner', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    const anonymous = await fetch(`${harness.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-sy-not-a-key', 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);

    const records = await auditRecords();
    const metadataRecord = records.get(String(metadataOnly.response.headers.get('x-request-id')));
    expect(metadataRecord).toMatchObject({ audit_level: 'metadata', key_id: harness.keyId, status: 'ok', request_body: null, response_body: null });
    expect(records.has(String(quiet.response.headers.get('x-request-id')))).toBe(false);
    expect(records.get(String(anonymous.headers.get('x-request-id')))).toMatchObject({ audit_level: 'metadata', key_id: null, http_status: 401, error_type: 'invalid_api_key', request_body: null, response_body: null });
    expect(JSON.stringify([...records.values()])).not.toContain('secret plans');
  });

  it('never holds a virtual key or a provider key, even one pasted into a prompt', async () => {
    await harness.client(fullKey).chat.completions.create({ model: 'reasoner', messages: [{ role: 'user', content: `my key is ${fullKey}, and the provider's is ${OPENAI_KEY}` }] });
    const texts = (await auditFileTexts()).join('\n');
    expect(texts).toContain('my key is [REDACTED]');
    for (const secret of [fullKey, quietKey, harness.key, OPENAI_KEY, ANTHROPIC_KEY]) expect(texts).not.toContain(secret);
  });

  it('is read back by switchyard audit search and audit show', async () => {
    up.script('anthropic', rawSse(fixture('anthropic', 'text-then-tool.sse')));
    const anthropic = new Anthropic({ baseURL: harness.url, apiKey: fullKey, maxRetries: 0 });
    const { response } = await anthropic.messages.create({ model: 'claude', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Search me' }] }, { headers: { 'x-switchyard-tags': 'feature=search' } }).withResponse();
    const requestId = String(response.headers.get('x-request-id'));
    for await (const _event of await anthropic.messages.create({ model: 'claude', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'drain' }] })) {
      // drained: the first call's stream was only opened, the second is read to the end
    }
    await auditRecords();
    const cli = async (argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, cwd: harness.dataDir });
      return { code, stdout, stderr };
    };

    const found = await cli(['audit', 'search', '--key', fullKeyId, '--tag', 'feature=search', '--format', 'json', '--data-dir', harness.dataDir]);
    expect(found.stderr).toBe('');
    const rows = JSON.parse(found.stdout) as { request_id: string; key_id: string; endpoint: string }[];
    expect(rows.map((row) => row.request_id)).toEqual([requestId]);
    expect(rows[0]).toMatchObject({ key_id: fullKeyId, endpoint: '/v1/messages' });

    const byTeam = await cli(['audit', 'search', '--team', 'compliance', '--format', 'json', '--data-dir', harness.dataDir]);
    const teamRows = JSON.parse(byTeam.stdout) as { team: string }[];
    expect(teamRows.length).toBeGreaterThanOrEqual(3);
    expect(teamRows.every((row) => row.team === 'compliance')).toBe(true);

    const shown = await cli(['audit', 'show', requestId, '--data-dir', harness.dataDir]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`request_id`);
    expect(shown.stdout).toContain('"content": "Search me"');
    expect(shown.stdout).toContain('"type": "tool_use"');

    const missing = await cli(['audit', 'show', 'req_nothing', '--data-dir', harness.dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No audit record of req_nothing');
  });
});
