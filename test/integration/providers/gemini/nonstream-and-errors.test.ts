import { chatVia } from '../../../helpers/chat-protocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../../../../functions/core/errors';
import type { ChatCompletion, ChatCompletionChunk } from '../../../../functions/core/protocols/openai-chat/types';
import { geminiProvider } from '../../../../functions/providers/gemini';
import { sendJson, startFakeUpstream, writeInPieces, type FakeUpstream, type UpstreamHandler } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema, SHARED_DIR } from '../../../helpers/openai-schemas';
import { callContext, chatCall, REQUEST_ID } from '../../../helpers/providers/gemini/harness';

const FIXTURES = join(SHARED_DIR, 'fixtures', 'gemini');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

describe('Gemini provider over HTTP', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream((_req, res) => sendJson(res, 500, {}));
  });
  afterAll(() => upstream.close());

  async function complete(handler: UpstreamHandler): Promise<ChatCompletion> {
    upstream.setHandler(handler);
    const result = await chatVia(geminiProvider, chatCall({}), callContext(upstream.url));
    if (result.kind !== 'completion') throw new Error('expected a completion');
    assertOpenAiSchema('CreateChatCompletionResponse', result.completion);
    return result.completion;
  }

  async function failure(handler: UpstreamHandler, stream = false): Promise<GatewayError> {
    upstream.setHandler(handler);
    try {
      const result = await chatVia(geminiProvider, chatCall({}, { stream }), callContext(upstream.url));
      if (result.kind === 'stream') for await (const _chunk of result.chunks) void _chunk;
    } catch (error) {
      if (error instanceof GatewayError) return error;
      throw error;
    }
    throw new Error('expected a GatewayError');
  }

  describe('non-streaming fixtures', () => {
    it.each([
      { file: 'basic-reply-short.json', content: 'Helena', finish: 'stop' },
      { file: 'finish-reason-safety.json', content: 'No', finish: 'content_filter' },
      { file: 'blocked-prompt-safety.json', content: '', finish: 'content_filter' },
    ])('$file → $finish', async ({ file, content, finish }) => {
      const completion = await complete((_req, res) => sendJson(res, 200, fixture(`nonstream/${file}`)));

      expect(completion.choices).toEqual([{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finish, logprobs: null }]);
      expect(completion.usage).toBeUndefined();
      expect(completion.id).toBe(`chatcmpl-${REQUEST_ID}`);
    });
  });

  it('translates a tool call answer with thinking, usage and a thought signature', async () => {
    const completion = await complete((_req, res) =>
      sendJson(res, 200, {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { text: 'Need the weather.', thought: true },
                { functionCall: { name: 'get_weather', args: { location: 'Paris' } }, thoughtSignature: 'c2ln' },
                { functionCall: { name: 'get_time' } },
              ],
            },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 20, thoughtsTokenCount: 7, totalTokenCount: 127 },
      }),
    );

    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        reasoning_content: 'Need the weather.',
        tool_calls: [
          { id: `call_${REQUEST_ID}_0`, type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' }, extra_content: { google: { thought_signature: 'c2ln' } } },
          { id: `call_${REQUEST_ID}_1`, type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 27,
      total_tokens: 127,
      prompt_tokens_details: { cached_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 7 },
    });
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['RECITATION', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['SPII', 'content_filter'],
    ['OTHER', 'stop'],
    ['A_REASON_ADDED_LATER', 'stop'],
  ])('maps finishReason %s to %s', async (reason, finish) => {
    const completion = await complete((_req, res) => sendJson(res, 200, { candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: reason }] }));

    expect(completion.choices[0]?.finish_reason).toBe(finish);
  });

  it('answers 502 retryable when a 2xx body has neither candidates nor a block reason', async () => {
    const error = await failure((_req, res) => sendJson(res, 200, { usageMetadata: { promptTokenCount: 3 } }));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response', verdict: 'retryable' });
  });

  describe('errors', () => {
    it('maps the recorded 404 model-not-found on the streaming endpoint to a fallback-worthy 502', async () => {
      const body = readFileSync(join(FIXTURES, 'error-404-model-not-found.json'), 'utf8');
      const error = await failure((_req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(body);
      }, true);

      expect(error).toMatchObject({ status: 502, code: 'upstream_model_not_found', verdict: 'fallback', errorClass: 'not_found', provider: 'gemini' });
      expect(error.message).toContain('models/custom-gemini-2.0-flash is not found');
    });

    it('maps 429 RESOURCE_EXHAUSTED with RetryInfo "34.4s" to a retryable 429 with retryAfterMs 34400', async () => {
      const error = await failure((_req, res) => sendJson(res, 429, fixture('nonstream/error-429-retry-info.json')));

      expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', verdict: 'retryable', retryAfterMs: 34400 });
      expect(error.toResponse({}).headers.get('retry-after')).toBe('35');
    });

    it('maps a 400 token-limit message to context_length_exceeded (fallback)', async () => {
      const error = await failure((_req, res) =>
        sendJson(res, 400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).' } }),
      );

      expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', verdict: 'fallback', param: 'messages' });
    });

    it('maps any other 400 INVALID_ARGUMENT to a final invalid request', async () => {
      const error = await failure((_req, res) =>
        sendJson(res, 400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid JSON payload received. Unknown name "foo".' } }),
      );

      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'INVALID_ARGUMENT', verdict: 'final' });
    });

    it('treats an invalid API key (400 API_KEY_INVALID) as our credential failure, not the client’s', async () => {
      const error = await failure((_req, res) =>
        sendJson(res, 400, {
          error: { code: 400, status: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] },
        }),
      );

      expect(error).toMatchObject({ status: 502, code: 'upstream_auth_failed', verdict: 'fallback' });
    });

    it('maps a 503 UNAVAILABLE to a retryable overloaded error', async () => {
      const error = await failure((_req, res) => sendJson(res, 503, { error: { code: 503, status: 'UNAVAILABLE', message: 'The model is overloaded.' } }));

      expect(error).toMatchObject({ status: 503, code: 'upstream_overloaded', verdict: 'retryable' });
    });

    it('turns an error event inside a started stream into a GatewayError after the text before it', async () => {
      const chunks: ChatCompletionChunk[] = [];
      upstream.setHandler(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        await writeInPieces(
          res,
          'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}]}\r\n\r\n' +
            'data: {"error":{"code":500,"status":"INTERNAL","message":"An internal error has occurred."}}\r\n\r\n',
          7,
        );
      });
      let caught: unknown;
      try {
        const result = await chatVia(geminiProvider, chatCall({}, { stream: true }), callContext(upstream.url));
        if (result.kind === 'stream') for await (const chunk of result.chunks) chunks.push(chunk);
      } catch (error) {
        caught = error;
      }

      // The role chunk (empty content, as OpenAI sends it) and the text before the error.
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(['', 'Hel']);
      expect(caught).toMatchObject({ status: 502, code: 'upstream_server_error', verdict: 'retryable' });
    });

    it('reports a stream cut before its finish reason as upstream_cut', async () => {
      const whole = readFileSync(join(FIXTURES, 'text-gemini-2.0-flash.sse'), 'utf8');
      const cut = whole.slice(0, whole.lastIndexOf('data:'));

      const error = await failure(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        await writeInPieces(res, cut, 64);
      }, true);

      expect(error).toMatchObject({ status: 502, code: 'upstream_cut', verdict: 'retryable' });
    });
  });
});
