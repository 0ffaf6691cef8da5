import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { assertOpenAiSchema } from '../../helpers/openai-schemas';

const config = {
  providers: { demo: { type: 'mock' } },
  models: { demo: { targets: [{ provider: 'demo', model: 'mock-1' }] } },
  limits: { maxBodyBytes: 4096 },
};

describe('bad input gets a clear OpenAI-format error, never a crash', () => {
  let harness: GatewayHarness;
  const post = (path: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${harness.url}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json', ...headers } });

  beforeAll(async () => {
    harness = await startGatewayHarness({ config });
  });
  afterAll(() => harness.close());

  it.each([
    ['invalid JSON', '{"model": "demo", "messages": [', 400, null, 'invalid_json'],
    ['a JSON array instead of an object', '[1,2]', 400, null, 'invalid_json'],
    ['an empty body', '', 400, null, 'invalid_json'],
    ['missing messages', '{"model":"demo"}', 400, 'messages', 'missing_required_parameter'],
    ['missing model', '{"messages":[{"role":"user","content":"hi"}]}', 400, 'model', 'missing_required_parameter'],
    ['messages of the wrong type', '{"model":"demo","messages":"hi"}', 400, 'messages', 'invalid_value'],
    ['empty messages', '{"model":"demo","messages":[]}', 400, 'messages', 'invalid_value'],
    ['an unknown role', '{"model":"demo","messages":[{"role":"wizard","content":"hi"}]}', 400, 'messages[0].role', 'invalid_value'],
    ['content of the wrong type', '{"model":"demo","messages":[{"role":"user","content":42}]}', 400, 'messages[0].content', 'invalid_value'],
    ['a tool message without tool_call_id', '{"model":"demo","messages":[{"role":"tool","content":"x"}]}', 400, 'messages[0].tool_call_id', 'missing_required_parameter'],
    ['stream as a string', '{"model":"demo","messages":[{"role":"user","content":"hi"}],"stream":"yes"}', 400, 'stream', 'invalid_value'],
    ['max_tokens of zero', '{"model":"demo","messages":[{"role":"user","content":"hi"}],"max_tokens":0}', 400, 'max_tokens', 'invalid_value'],
    ['n out of range', '{"model":"demo","messages":[{"role":"user","content":"hi"}],"n":0}', 400, 'n', 'invalid_value'],
    ['a bad tool name', '{"model":"demo","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"has space"}}]}', 400, 'tools[0].function.name', 'invalid_value'],
    ['a bad response_format', '{"model":"demo","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"yaml"}}', 400, 'response_format.type', 'invalid_value'],
    ['stream_options without stream', '{"model":"demo","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}', 400, 'stream_options', null],
    ['an unknown model', '{"model":"gpt-17","messages":[{"role":"user","content":"hi"}]}', 404, 'model', 'model_not_found'],
  ])('%s', async (_name, body, status, param, code) => {
    const response = await post('/v1/chat/completions', body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const json = await response.json();
    assertOpenAiSchema('ErrorResponse', json);
    expect(json.error.param).toBe(param);
    if (code) expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(10);
  });

  it('rejects a body over the limit with 413', async () => {
    const response = await post('/v1/chat/completions', JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }));
    expect(response.status).toBe(413);
    assertOpenAiSchema('ErrorResponse', await response.json());
  });

  it.each([
    ['a missing key', undefined, 'missing_api_key'],
    ['a malformed Authorization header', 'Basic abc', 'missing_api_key'],
    ['an unknown key', 'Bearer sk-sy-unknown', 'invalid_api_key'],
  ])('rejects %s with 401', async (_name, authorization, code) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const response = await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', body: '{}', headers });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe(code);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const unknown = await fetch(`${harness.url}/v1/completions-typo`, { headers: { authorization: `Bearer ${harness.key}` } });
    expect(unknown.status).toBe(404);
    assertOpenAiSchema('ErrorResponse', await unknown.json());
    const wrongMethod = await fetch(`${harness.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${harness.key}` } });
    expect(wrongMethod.status).toBe(405);
  });

  it('serves /health without a key', async () => {
    const response = await fetch(`${harness.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('keeps serving after all of that, and wrote one usage event per /v1 request', async () => {
    const response = await post('/v1/chat/completions', '{"model":"demo","messages":[{"role":"user","content":"still there?"}]}');
    expect(response.status).toBe(200);
    const events = await harness.usageEvents();
    const ids = events.map((event) => event.request_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.filter((event) => event.http_status === 400).length).toBeGreaterThanOrEqual(16);
    expect(events.some((event) => event.http_status === 401 && event.key_id === null)).toBe(true);
  });
});
