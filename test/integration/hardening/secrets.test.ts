import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { createConsoleLogger } from '../../../functions/adapters/local/console-logger';
import { sendJson, startFakeUpstream, type FakeUpstream, type RecordedRequest } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { readDatabaseFiles } from '../../helpers/database-files';

/**
 * Secrets hygiene, end to end: provider keys and virtual keys must never show up in a log line,
 * a usage event, a response to the client or a file in the data dir — even when upstreams echo
 * the key they were sent in their error bodies, as some do. Provider keys here have no
 * recognisable shape, so only removal at the source (not pattern redaction) can pass this.
 */
const PROVIDER_KEYS = {
  openai: `openai-provider-${randomBytes(12).toString('hex')}`,
  anthropic: `anthropic-provider-${randomBytes(12).toString('hex')}`,
  gemini: `gemini-provider-${randomBytes(12).toString('hex')}`,
  azure: `azure-provider-${randomBytes(12).toString('hex')}`,
};
const PROMPT_MARKER = `prompt-marker-${randomBytes(6).toString('hex')}`;

/** Every credential the fake upstream received, echoed back the way careless upstreams do. */
function echoedKeys(request: RecordedRequest): string {
  const h = request.headers;
  return [h.authorization, h['x-api-key'], h['api-key'], h['x-goog-api-key']].filter(Boolean).join(' ');
}

function chunk(delta: Record<string, unknown>, finish: string | null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
}

/** Answers by the provider model name: success, an error echoing the key, or a stream that fails echoing it. */
function upstream(request: RecordedRequest, res: ServerResponse): void {
  const keys = echoedKeys(request);
  const body = (request.json ?? {}) as { model?: string; stream?: boolean };
  const model = body.model ?? decodeURIComponent(/models\/([^:]+)/.exec(request.url)?.[1] ?? /deployments\/([^/]+)/.exec(request.url)?.[1] ?? '');
  if (request.url.includes('/v1/messages')) {
    sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key: ${keys}` } });
    return;
  }
  if (request.url.includes('/v1beta/')) {
    sendJson(res, 400, { error: { code: 400, message: `API key not valid. Please pass a valid API key. (${keys})`, status: 'INVALID_ARGUMENT' } });
    return;
  }
  if (model === 'echo-401') return sendJson(res, 401, { error: { message: `Incorrect API key provided: ${keys}.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
  if (model === 'echo-500') return sendJson(res, 500, { error: { message: `internal error while using ${keys}`, type: 'server_error' } });
  if (model === 'echo-400') return sendJson(res, 400, { error: { message: `bad request from ${keys}`, type: 'invalid_request_error' } });
  if (request.url.includes('/embeddings')) {
    return sendJson(res, 200, { object: 'list', model: 'e', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 2, total_tokens: 2 } });
  }
  if (body.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: 'Hi' }, null));
    if (model === 'stream-echo') {
      res.end(`data: ${JSON.stringify({ error: { message: `stream failed for ${keys}`, type: 'server_error' } })}\n\n`);
      return;
    }
    res.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
    return;
  }
  sendJson(res, 200, { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
}

function configFor(url: string, logging: boolean): unknown {
  const openaiTarget = (model: string) => ({ provider: 'openai', model });
  return {
    providers: {
      openai: { type: 'openai', baseUrl: `${url}/v1`, apiKeySecret: 'openai' },
      anthropic: { type: 'anthropic', baseUrl: url, apiKeySecret: 'anthropic' },
      gemini: { type: 'gemini', baseUrl: url, apiKeySecret: 'gemini' },
      azure: { type: 'openai', baseUrl: url, apiKeySecret: 'azure', azure: { apiVersion: '2024-10-21' } },
    },
    models: {
      ok: { targets: [openaiTarget('ok')] },
      'openai-401': { targets: [openaiTarget('echo-401')] },
      'openai-500': { targets: [openaiTarget('echo-500')] },
      'openai-400': { targets: [openaiTarget('echo-400')] },
      'stream-echo': { targets: [openaiTarget('stream-echo')] },
      anthropic: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
      gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
      azure: { targets: [{ provider: 'azure', model: 'echo-401' }] },
      everything: { targets: [openaiTarget('echo-500'), { provider: 'anthropic', model: 'claude-sonnet-4-5' }, { provider: 'gemini', model: 'gemini-2.5-flash' }, { provider: 'azure', model: 'echo-401' }, openaiTarget('ok')] },
    },
    retry: { attempts: 2, backoffMs: 1 },
    logging: { requests: logging },
  };
}

const env = {
  SWITCHYARD_SECRET_OPENAI: PROVIDER_KEYS.openai,
  SWITCHYARD_SECRET_ANTHROPIC: PROVIDER_KEYS.anthropic,
  SWITCHYARD_SECRET_GEMINI: PROVIDER_KEYS.gemini,
  SWITCHYARD_SECRET_AZURE: PROVIDER_KEYS.azure,
};

/** Every file under a directory, as text. */
async function allFiles(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await allFiles(path)));
    else out.push({ path, text: await readFile(path, 'utf8') });
  }
  return out;
}

/** Sends a broad mix of requests (successes, every kind of failure) and returns the response texts. */
async function broadRun(harness: GatewayHarness, revokedKey: string): Promise<string[]> {
  const texts: string[] = [];
  const send = async (path: string, body: unknown, key = harness.key, method = 'POST'): Promise<void> => {
    const response = await fetch(`${harness.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-switchyard-tags': 'service=secrets' },
      body: method === 'POST' ? JSON.stringify(body) : undefined,
    });
    texts.push(JSON.stringify([...response.headers]), await response.text());
  };
  const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: `${PROMPT_MARKER} my key is sk-${'a'.repeat(30)}` }], ...extra });
  for (const stream of [false, true]) {
    for (const model of ['ok', 'openai-401', 'openai-500', 'openai-400', 'stream-echo', 'anthropic', 'gemini', 'azure', 'everything']) await send('/v1/chat/completions', chat(model, { stream }));
  }
  await send('/v1/embeddings', { model: 'ok', input: 'hello' });
  await send('/v1/embeddings', { model: 'openai-401', input: 'hello' });
  await send('/v1/models', undefined, harness.key, 'GET');
  await send('/v1/chat/completions', chat('ok'), revokedKey);
  await send('/v1/chat/completions', chat('ok'), `sk-sy-${'x'.repeat(40)}`);
  await send('/v1/chat/completions', { model: 'ok', messages: 'not an array' });
  await send('/v1/chat/completions', chat('ok', { api_key: PROVIDER_KEYS.openai.slice(0, 8) }));
  return texts;
}

describe('secrets hygiene', () => {
  let upstreamServer: FakeUpstream;
  beforeAll(async () => {
    upstreamServer = await startFakeUpstream(upstream);
  });
  afterAll(() => upstreamServer.close());

  describe.each([
    ['request logging off (the default)', false],
    ['request logging on', true],
  ])('with %s', (_name, logging) => {
    let harness: GatewayHarness;
    let responses: string[];
    let revoked: { key: string; keyId: string };

    beforeAll(async () => {
      harness = await startGatewayHarness({ config: configFor(upstreamServer.url, logging), env });
      revoked = await harness.createKey({ name: 'revoked' });
      const record = await harness.local.keyStore.get(revoked.keyId);
      await harness.local.keyStore.replace({ ...record!, revoked: true });
      responses = await broadRun(harness, revoked.key);
    });
    afterAll(() => harness.close());

    it('the upstreams really received (and echoed) every provider key', () => {
      const received = upstreamServer.requests.map(echoedKeys).join(' ');
      for (const key of Object.values(PROVIDER_KEYS)) expect(received).toContain(key);
    });

    it('no response, log line, usage event or data file contains a provider key or a virtual key', async () => {
      const events = await harness.usageEvents();
      expect(events.length).toBeGreaterThanOrEqual(24);
      const files = await allFiles(harness.dataDir);
      const haystacks = [
        ...responses.map((text, index) => ({ where: `response ${index}`, text })),
        ...harness.logs.map((line, index) => ({ where: `log ${index} (${line.message})`, text: JSON.stringify(line) })),
        ...events.map((event) => ({ where: `usage event ${event.request_id}`, text: JSON.stringify(event) })),
        ...files.map((file) => ({ where: file.path, text: file.text })),
      ];
      const secrets = [...Object.values(PROVIDER_KEYS), harness.key, revoked.key];
      const leaks = haystacks.flatMap(({ where, text }) => secrets.filter((secret) => text.includes(secret)).map((secret) => `${where} contains ${secret.slice(0, 12)}…`));
      expect(leaks).toEqual([]);
      expect(responses.join('\n')).toContain('[REDACTED]');
    });

    it('stores virtual keys only as their SHA-256', async () => {
      const keysFile = await readDatabaseFiles(harness.dataDir);
      expect(keysFile).toContain(createHash('sha256').update(harness.key).digest('hex'));
      expect(keysFile).not.toContain(harness.key.slice(6));
    });

    it(logging ? 'logs prompts and completions, with credentials redacted' : 'logs no prompt and no completion', () => {
      const logText = harness.logs.map((line) => JSON.stringify(line)).join('\n');
      if (!logging) {
        expect(logText).not.toContain(PROMPT_MARKER);
        expect(harness.logs.map((line) => line.message)).not.toContain('completion');
        return;
      }
      const requestLines = harness.logs.filter((line) => line.message === 'request');
      expect(requestLines.length).toBeGreaterThan(0);
      expect(logText).toContain(PROMPT_MARKER);
      expect(logText).not.toContain(`sk-${'a'.repeat(30)}`);
      expect((requestLines[0]?.fields?.headers as Record<string, string>).authorization).toBe('[REDACTED]');
      expect(harness.logs.some((line) => line.message === 'completion')).toBe(true);
    });
  });
});

describe('the console logger redacts credentials', () => {
  it.each([
    ['authorization', { authorization: 'Bearer sk-sy-abcdefghijklmnopqrstuvwxyz0123' }],
    ['x-api-key', { headers: { 'x-api-key': 'anything-at-all' } }],
    ['api-key', { headers: { 'api-key': 'anything-at-all' } }],
    ['x-goog-api-key', { nested: { deeper: { 'x-goog-api-key': 'anything-at-all' } } }],
    ['a key inside a message', { cause: 'Error: Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz' }],
    ['a bearer token in text', { note: 'sent Authorization: Bearer abcdef0123456789' }],
    ['a Google key in text', { note: `key=AIza${'B'.repeat(35)}` }],
  ])('%s', (_name, fields) => {
    const lines: string[] = [];
    createConsoleLogger('debug', (line) => lines.push(line)).warn('upstream said something', fields);
    const line = lines[0] as string;
    expect(line).toContain('[REDACTED]');
    expect(line).not.toMatch(/anything-at-all|sk-sy-abc|sk-proj-abc|abcdef0123456789|AIzaB/);
    expect(JSON.parse(line).message).toBe('upstream said something');
  });

  it('keeps token counts and ids, which are not secrets', () => {
    const lines: string[] = [];
    createConsoleLogger('info', (line) => lines.push(line)).info('usage', { input_tokens: 12, key_id: 'key_abc', tokens: 3 });
    expect(JSON.parse(lines[0] as string)).toMatchObject({ input_tokens: 12, key_id: 'key_abc', tokens: 3 });
  });
});

