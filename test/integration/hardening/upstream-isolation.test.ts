import type OpenAI from 'openai';
import { ConfigError } from '../../../functions/core/config/load-config';
import { sendJson, startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { parseConfig } from '../../../functions/providers/config';

/**
 * No client-controlled upstream: the config alone decides where a request goes, with which key
 * and which headers. Client credentials, base URLs and header options never reach a provider;
 * only a header the provider's `forwardHeaders` lists does.
 */
const PROVIDER_KEY = 'provider-key-from-config';
const completion = { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
const anthropicMessage = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };

const CLIENT_HEADERS = {
  'x-api-key': 'client-x-api-key',
  'api-key': 'client-api-key',
  'x-goog-api-key': 'client-goog-key',
  cookie: 'session=client',
  'x-trace-id': 'trace-123',
  'x-other': 'not-allowed',
  'openai-organization': 'client-org',
};

describe('clients cannot steer the upstream', () => {
  let upstream: FakeUpstream;
  let harness: GatewayHarness;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeUpstream((request, res) => sendJson(res, 200, request.url.includes('/v1/messages') ? anthropicMessage : completion));
    harness = await startGatewayHarness({
      config: {
        providers: {
          openai: { type: 'openai', baseUrl: `${upstream.url}/v1`, apiKeySecret: 'openai', forwardHeaders: ['X-Trace-Id'] },
          anthropic: { type: 'anthropic', baseUrl: upstream.url, apiKeySecret: 'openai' },
        },
        models: { gpt: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] }, claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] } },
      },
      env: { SWITCHYARD_SECRET_OPENAI: PROVIDER_KEY },
    });
    client = harness.client();
  });
  afterAll(async () => {
    await harness.close();
    await upstream.close();
  });
  beforeEach(() => upstream.requests.splice(0));

  it('only the allowed header reaches an OpenAI-compatible provider, with the configured key', async () => {
    await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] }, { headers: CLIENT_HEADERS });
    expect(upstream.requests).toHaveLength(1);
    const headers = upstream.requests[0]!.headers;
    expect(headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(headers['x-trace-id']).toBe('trace-123');
    for (const name of ['x-api-key', 'api-key', 'x-goog-api-key', 'cookie', 'x-other', 'openai-organization', 'x-switchyard-tags']) expect(headers[name]).toBeUndefined();
    expect(Object.keys(headers).filter((name) => name.startsWith('x-stainless'))).toEqual([]);
    expect(JSON.stringify(headers)).not.toContain(harness.key);
  });

  it('a provider without forwardHeaders receives no client header at all', async () => {
    await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { headers: { ...CLIENT_HEADERS, 'x-api-key': 'client-x-api-key' } });
    const headers = upstream.requests[0]!.headers;
    expect(headers['x-api-key']).toBe(PROVIDER_KEY);
    expect(headers['x-trace-id']).toBeUndefined();
    expect(headers.authorization).toBeUndefined();
  });

  it.each(['base_url', 'baseURL', 'api_base', 'api_key', 'extra_headers', 'extra_body', 'headers'])('a body field %s is refused before any upstream call', async (field) => {
    const response = await fetch(`${harness.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }], [field]: field.includes('header') ? { authorization: 'Bearer stolen' } : 'http://attacker.example/v1' }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ param: field, code: 'unsupported_parameter' });
    expect(upstream.requests).toEqual([]);
  });

  it('nothing in the forwarded body names another endpoint or key', async () => {
    await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }], metadata: { service: 'x' } });
    const body = upstream.requests[0]!.json as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model', 'stream'].sort());
  });

  it.each(['authorization', 'X-Api-Key', 'api-key', 'x-goog-api-key', 'cookie', 'host'])('the config refuses forwarding %s', (header) => {
    expect(() => parseConfig({ providers: { p: { type: 'openai', forwardHeaders: [header] } }, models: {} })).toThrow(ConfigError);
  });
});
