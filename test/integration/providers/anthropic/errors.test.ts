import { openAiErrorBody } from '../../../../functions/core/protocols/openai-chat/errors';
import { chatVia } from '../../../helpers/chat-protocol';
import { GatewayError } from '../../../../functions/core/errors';
import { anthropicProvider } from '../../../../functions/providers/anthropic';
import { sendJson, startFakeUpstream, type FakeUpstream } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema } from '../../../helpers/openai-schemas';
import { makeCall, makeContext } from '../../../helpers/providers/anthropic/call-context';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream(() => undefined);
});
afterAll(() => upstream.close());

const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

describe('Anthropic HTTP errors', () => {
  it.each([
    ['529 overloaded', 529, anthropicError('overloaded_error', 'Overloaded'), {}, { status: 503, code: 'upstream_overloaded', verdict: 'retryable' }],
    ['429 with retry-after', 429, anthropicError('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), { 'retry-after': '7' }, { status: 429, type: 'rate_limit_error', verdict: 'retryable', retryAfterMs: 7000 }],
    ['500 api_error', 500, anthropicError('api_error', 'Internal server error'), {}, { status: 502, code: 'upstream_server_error', verdict: 'retryable' }],
    ['prompt is too long', 400, anthropicError('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'), {}, { status: 400, code: 'context_length_exceeded', verdict: 'fallback', errorClass: 'context_length' }],
    ['input plus max_tokens over the limit', 400, anthropicError('invalid_request_error', 'input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again'), {}, { status: 400, code: 'context_length_exceeded', verdict: 'fallback' }],
    ['an invalid request', 400, anthropicError('invalid_request_error', 'messages.0.content: Field required'), {}, { status: 400, type: 'invalid_request_error', code: 'invalid_request_error', verdict: 'final' }],
    ['a bad API key', 401, anthropicError('authentication_error', 'invalid x-api-key'), {}, { status: 502, code: 'upstream_auth_failed', verdict: 'fallback' }],
    ['an exhausted credit balance', 400, anthropicError('billing_error', 'Your credit balance is too low to access the Anthropic API.'), {}, { status: 502, code: 'upstream_auth_failed', verdict: 'fallback' }],
    ['an unknown model', 404, anthropicError('not_found_error', 'model: claude-nope'), {}, { status: 502, code: 'upstream_model_not_found', verdict: 'fallback' }],
    ['a request too large', 413, anthropicError('request_too_large', 'Request exceeds the maximum allowed number of bytes.'), {}, { status: 413, verdict: 'final' }],
  ])('maps %s', async (_label, status, body, headers, expected) => {
    upstream.setHandler((_request, res) => sendJson(res, status, body, headers));

    const error = await chatVia(anthropicProvider, makeCall({}), makeContext({ baseUrl: upstream.url })).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(GatewayError);
    if (!(error instanceof GatewayError)) return;
    expect(error).toMatchObject({ ...expected, provider: 'anthropic' });
    assertOpenAiSchema('ErrorResponse', openAiErrorBody(error));
    expect(error.message).toContain((body as { error: { message: string } }).error.message);
  });

  it('maps a non-JSON gateway page by its status', async () => {
    upstream.setHandler((_request, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    });

    await expect(chatVia(anthropicProvider, makeCall({}), makeContext({ baseUrl: upstream.url }))).rejects.toMatchObject({
      status: 502,
      verdict: 'retryable',
      message: 'anthropic: <html>Bad Gateway</html>',
    });
  });
});
