import fc from 'fast-check';
import { assertOpenAiSchema } from '../../helpers/openai-schemas';
import { startCoreGateway, within, type CoreGateway } from '../../helpers/hardening/core-gateway';

/**
 * Property: whatever a client sends — any body, headers, path or method — the core answers with
 * a success or an OpenAI-format error, never a 5xx, a crash or a hang, and writes exactly one
 * usage event per `/v1` request. Limits are set low so the fuzzer reaches every one of them.
 */
const LIMITS = { maxBodyBytes: 32 * 1024, maxHeaderBytes: 2048, maxMessages: 12, maxContentParts: 4, maxTools: 3, maxN: 3, maxStringChars: 2000, maxJsonDepth: 12, maxEmbeddingInputs: 5 };
const config = {
  providers: { demo: { type: 'mock', chunks: 3 } },
  models: { demo: { targets: [{ provider: 'demo', model: 'mock-1' }] } },
  limits: LIMITS,
};
const RUNS = 150;
const CALL_TIMEOUT_MS = 5000;
const CLIENT_ERRORS = new Set([400, 401, 403, 404, 405, 413, 431]);

let core: CoreGateway;
let usageRequests = 0;

beforeAll(async () => {
  core = await startCoreGateway({ config });
});

/** Sends one request to the core and checks the answer is well-formed; returns the status. */
async function exchange(method: string, path: string, headers: Headers, body: BodyInit | undefined): Promise<number> {
  const request = new Request(`http://gateway.test${path}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
  if (!isHealthCheck(request)) usageRequests += 1;
  return within(
    (async () => {
      const response = await core.gateway(request);
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200) {
        expect(CLIENT_ERRORS.has(response.status)).toBe(true);
        expect(type).toContain('application/json');
        assertOpenAiSchema('ErrorResponse', JSON.parse(text));
        return response.status;
      }
      if (type.startsWith('text/event-stream')) {
        const frames = text.split('\n\n').filter((frame) => frame.startsWith('data: '));
        expect(frames.at(-1)).toBe('data: [DONE]');
        for (const frame of frames.slice(0, -1)) assertOpenAiSchema('CreateChatCompletionStreamResponse', JSON.parse(frame.slice(6)));
        return 200;
      }
      if (method === 'HEAD') {
        expect(text).toBe('');
        return 200;
      }
      const json = JSON.parse(text);
      const schema = path.includes('embeddings') ? 'CreateEmbeddingResponse' : path.includes('models') ? 'ListModelsResponse' : path.includes('chat') ? 'CreateChatCompletionResponse' : undefined;
      if (schema) assertOpenAiSchema(schema, schema === 'CreateEmbeddingResponse' ? decodeVectors(json) : json);
      else expect(json).toEqual({ status: 'ok' });
      return 200;
    })(),
    CALL_TIMEOUT_MS,
    `${method} ${path}`,
  );
}

/** `GET /health` and the root probe (`GET` or `HEAD /`) are the requests without a usage event (as the gateway matches them). */
function isHealthCheck(request: Request): boolean {
  const path = new URL(request.url).pathname.replace(/(.)\/$/, '$1');
  return (request.method === 'GET' && path === '/health') || ((request.method === 'GET' || request.method === 'HEAD') && path === '/');
}

/** Base64 vectors (the OpenAI SDK's default) decoded to floats, since the schema only knows arrays. */
function decodeVectors(json: { data?: Array<{ embedding: unknown }> }): unknown {
  for (const item of json.data ?? []) {
    if (typeof item.embedding !== 'string') continue;
    const bytes = Buffer.from(item.embedding, 'base64');
    expect(bytes.length % 4).toBe(0);
    item.embedding = Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
  }
  return json;
}

function authHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({ authorization: `Bearer ${core.key}`, 'content-type': 'application/json', ...extra });
}

// --- arbitraries -----------------------------------------------------------------------------

const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const anyValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 4 }));
const text = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 50 }), fc.string({ minLength: 1990, maxLength: 2100 }));
const part = fc.oneof(
  fc.record({ type: fc.constant('text'), text: fc.oneof(text, anyValue) }),
  fc.record({ type: fc.constant('image_url'), image_url: fc.oneof(fc.record({ url: fc.webUrl(), detail: fc.constantFrom('auto', 'low', 'high', 'huge') }, { requiredKeys: ['url'] }), anyValue) }),
  fc.record({ type: fc.oneof(fc.string({ maxLength: 10 }), anyValue), payload: anyValue }, { requiredKeys: [] }),
  anyValue,
);
const message = fc.record(
  {
    role: fc.oneof(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), fc.string({ maxLength: 10 })),
    content: fc.oneof(text, fc.array(part, { maxLength: 6 }), anyValue),
    name: fc.oneof(fc.string({ maxLength: 20 }), anyValue),
    tool_call_id: fc.oneof(fc.string({ maxLength: 20 }), anyValue),
    tool_calls: fc.array(fc.oneof(fc.record({ id: fc.string(), type: fc.constant('function'), function: fc.record({ name: fc.string(), arguments: fc.string() }) }), anyValue), { maxLength: 3 }),
  },
  { requiredKeys: ['role'] },
);
const tool = fc.oneof(
  fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.stringMatching(/^[a-zA-Z0-9_-]{0,70}$/), description: fc.string(), parameters: fc.oneof(fc.jsonValue({ maxDepth: 4 }), anyValue) }, { requiredKeys: ['name'] }) }),
  anyValue,
);
const chatBody = fc.record(
  {
    model: fc.oneof(fc.constant('demo'), fc.constant('demo'), fc.string({ maxLength: 300 })),
    messages: fc.oneof(fc.array(message, { maxLength: 15 }), anyValue),
    stream: fc.oneof(fc.boolean(), anyValue),
    stream_options: fc.oneof(fc.record({ include_usage: fc.boolean() }), anyValue),
    n: fc.oneof(fc.integer({ min: -1, max: 6 }), anyValue),
    max_tokens: fc.oneof(fc.integer({ min: -5, max: 100000 }), anyValue),
    max_completion_tokens: fc.oneof(fc.integer({ min: -5, max: 100000 }), anyValue),
    temperature: fc.oneof(fc.double({ min: -1, max: 3 }), anyValue),
    top_p: fc.oneof(fc.double({ min: -1, max: 2 }), anyValue),
    tools: fc.oneof(fc.array(tool, { maxLength: 5 }), anyValue),
    tool_choice: fc.oneof(fc.constantFrom('auto', 'none', 'required'), anyValue),
    response_format: fc.oneof(fc.record({ type: fc.constantFrom('text', 'json_object', 'json_schema', 'yaml') }), anyValue),
    stop: fc.oneof(fc.array(fc.string(), { maxLength: 6 }), anyValue),
    metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 70 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }), anyValue),
    user: fc.oneof(fc.string({ maxLength: 300 }), anyValue),
    seed: fc.oneof(fc.integer(), anyValue),
    reasoning_effort: fc.oneof(fc.constantFrom('minimal', 'low', 'medium', 'high', 'max'), anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);
const embeddingBody = fc.record(
  {
    model: fc.oneof(fc.constant('demo'), fc.string({ maxLength: 20 })),
    input: fc.oneof(text, fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }), fc.array(fc.integer(), { maxLength: 8 }), fc.array(fc.array(fc.integer(), { maxLength: 4 }), { maxLength: 8 }), anyValue),
    encoding_format: fc.oneof(fc.constantFrom('float', 'base64', 'hex'), anyValue),
    dimensions: fc.oneof(fc.integer({ min: -2, max: 64 }), anyValue),
  },
  { requiredKeys: [] },
);
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/);
const headerValue = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,80}$/);

// --- properties ------------------------------------------------------------------------------

describe('fuzzing the core with bad input', () => {
  it('chat completion bodies of any shape get a success or a 4xx OpenAI error', async () => {
    await fc.assert(
      fc.asyncProperty(chatBody, async (body) => {
        await exchange('POST', '/v1/chat/completions', authHeaders(), JSON.stringify(body));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('embeddings bodies of any shape get a success or a 4xx OpenAI error', async () => {
    await fc.assert(
      fc.asyncProperty(embeddingBody, async (body) => {
        await exchange('POST', '/v1/embeddings', authHeaders(), JSON.stringify(body));
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary JSON, text and bytes as a body never crash the gateway', async () => {
    const rawBody = fc.oneof(
      fc.json({ maxDepth: 6 }),
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.integer({ min: 1, max: 3000 }).map((depth) => `{"model":"demo","messages":${'['.repeat(depth)}${']'.repeat(depth)}}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v1/chat/completions', '/v1/embeddings'), rawBody, async (path, body) => {
        await exchange('POST', path, authHeaders(), body);
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary headers (auth, content type, tags, sizes) never crash the gateway', async () => {
    const auth = fc.oneof(
      fc.constant(undefined),
      fc.constant('valid'),
      headerValue,
      headerValue.map((value) => `Bearer ${value}`),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer sk-sy-x', 'Basic Zm9vOmJhcg=='),
    );
    const headers = fc.record({
      auth,
      contentType: fc.oneof(fc.constant(undefined), fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x'), headerValue),
      tags: fc.oneof(fc.constant(undefined), headerValue, fc.stringMatching(/^([a-z]{1,8}=[a-z]{0,8},){0,30}$/)),
      others: fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
      padding: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4000 })),
    });
    await fc.assert(
      fc.asyncProperty(headers, fc.boolean(), async (h, stream) => {
        const all = new Headers(h.others);
        if (h.auth !== undefined) all.set('authorization', h.auth === 'valid' ? `Bearer ${core.key}` : h.auth);
        if (h.contentType !== undefined) all.set('content-type', h.contentType);
        if (h.tags !== undefined) all.set('x-switchyard-tags', h.tags);
        if (h.padding > 0) all.set('x-padding', 'p'.repeat(h.padding));
        const status = await exchange('POST', '/v1/chat/completions', all, JSON.stringify({ model: 'demo', stream, messages: [{ role: 'user', content: 'hi' }] }));
        if (h.padding > LIMITS.maxHeaderBytes) expect(status).toBe(431);
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary paths and methods get a success or a 4xx OpenAI error', async () => {
    const path = fc.oneof(
      fc.constantFrom('/v1/chat/completions', '/v1/chat/completions/', '/v1/embeddings', '/v1/models', '/v1/models/', '/health', '/v1//models', '/v1/../v1/models', '/V1/MODELS', '/v1/chat/completions?x=1'),
      fc.webPath(),
      fc.string({ maxLength: 60 }).map((segment) => `/v1/${encodeURIComponent(segment)}`),
    );
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    await fc.assert(
      fc.asyncProperty(path, method, async (p, m) => {
        await exchange(m, p.startsWith('/') ? p : `/${p}`, authHeaders(), JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }));
      }),
      { numRuns: RUNS },
    );
  });

  it('wrote exactly one usage event per request (health checks aside) and logged no internal error', async () => {
    await core.settled();
    expect(usageRequests).toBeGreaterThan(RUNS * 5);
    expect(core.events).toHaveLength(usageRequests);
    expect(core.events.filter((event) => event.http_status >= 500)).toEqual([]);
    expect(core.logs.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('each request limit answers a clear 400 naming the parameter', () => {
  const hi = { role: 'user', content: 'hi' };
  it.each([
    ['too many messages', { messages: Array.from({ length: LIMITS.maxMessages + 1 }, () => hi) }, 'messages', 'array_above_max_length'],
    ['too many content parts', { messages: [{ role: 'user', content: Array.from({ length: LIMITS.maxContentParts + 1 }, () => ({ type: 'text', text: 'x' })) }] }, 'messages[0].content', 'array_above_max_length'],
    ['too many tools', { tools: Array.from({ length: LIMITS.maxTools + 1 }, (_, i) => ({ type: 'function', function: { name: `t${i}` } })) }, 'tools', 'array_above_max_length'],
    ['n above the limit', { n: LIMITS.maxN + 1 }, 'n', 'integer_above_max_value'],
    ['a string above the limit', { messages: [hi, { role: 'user', content: 'x'.repeat(LIMITS.maxStringChars + 1) }] }, 'messages[1].content', 'string_above_max_length'],
    ['nesting above the limit', { messages: [{ role: 'user', content: 'hi', deep: JSON.parse('['.repeat(20) + ']'.repeat(20)) }] }, 'messages[0].deep[0][0][0][0][0][0][0][0][0]', 'nesting_too_deep'],
    ['a client-chosen base_url', { base_url: 'http://evil.example/v1' }, 'base_url', 'unsupported_parameter'],
    ['client-chosen extra_headers', { extra_headers: { authorization: 'Bearer x' } }, 'extra_headers', 'unsupported_parameter'],
  ])('%s', async (_name, override, param, code) => {
    const response = await core.gateway(new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: authHeaders(), body: JSON.stringify({ model: 'demo', messages: [hi], ...override }) }));
    expect(response.status).toBe(400);
    const body = await response.json();
    assertOpenAiSchema('ErrorResponse', body);
    expect(body.error).toMatchObject({ param, code, type: 'invalid_request_error' });
    expect(body.error.message).toContain(param);
  });

  it('too many embedding inputs', async () => {
    const response = await core.gateway(new Request('http://gateway.test/v1/embeddings', { method: 'POST', headers: authHeaders(), body: JSON.stringify({ model: 'demo', input: Array.from({ length: LIMITS.maxEmbeddingInputs + 1 }, () => 'x') }) }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ param: 'input', code: 'array_above_max_length' });
  });

  it('a body nested far deeper than any stack is a 400, not a 5xx when forwarded upstream', async () => {
    // An unknown field passes schema validation and is forwarded as-is to OpenAI-compatible
    // providers, where JSON.stringify would overflow the stack on it.
    const completion = { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop', logprobs: null }] };
    const roomy = await startCoreGateway({
      config: { providers: { up: { type: 'openai', baseUrl: 'http://upstream.test/v1' } }, models: { demo: { targets: [{ provider: 'up', model: 'm' }] } }, limits: { maxBodyBytes: 1024 * 1024 } },
      fetch: async () => new Response(JSON.stringify(completion), { headers: { 'content-type': 'application/json' } }),
    });
    const depth = 200_000;
    const body = `{"model":"demo","messages":[{"role":"user","content":"hi"}],"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const response = await roomy.gateway(new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${roomy.key}` }, body }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'nesting_too_deep', param: expect.stringMatching(/^extra\[0\]/) });
  });

  it('headers over the limit are a 431', async () => {
    const response = await core.gateway(new Request('http://gateway.test/v1/models', { headers: authHeaders({ 'x-big': 'b'.repeat(LIMITS.maxHeaderBytes) }) }));
    expect(response.status).toBe(431);
    expect((await response.json()).error.code).toBe('request_header_fields_too_large');
  });
});
