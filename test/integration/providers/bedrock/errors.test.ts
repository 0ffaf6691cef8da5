import { chatVia } from '../../../helpers/chat-protocol';
import type { FakeUpstream } from '../../../helpers/fake-upstream';
import { chatCall, collect, gatewayErrorOf, testContext, testProvider } from '../../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock, type FakeBedrockReply } from '../../../helpers/providers/bedrock/fake-bedrock';

const STARTED = '{"messageStart":{"role":"assistant"}}\n{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"text":"Hi"}}}\n';

describe('Bedrock errors → GatewayError with a routing verdict', () => {
  let fake: FakeUpstream;
  let reply: FakeBedrockReply;
  beforeAll(async () => {
    fake = await startFakeBedrock(() => reply);
  });
  afterAll(() => fake.close());

  describe.each([false, true])('before the stream (stream: %s)', (stream) => {
    it.each([
      ['ThrottlingException', 429, 'Too many requests', { status: 429, verdict: 'retryable', errorClass: 'rate_limit' }],
      ['ServiceQuotaExceededException', 400, 'Your quota is exceeded', { status: 429, verdict: 'retryable', errorClass: 'rate_limit' }],
      ['AccessDeniedException', 403, 'You do not have access to the model', { status: 502, verdict: 'fallback', errorClass: 'auth' }],
      ['ResourceNotFoundException', 404, 'Model not found', { status: 502, verdict: 'fallback', errorClass: 'not_found' }],
      ['ValidationException', 400, 'Input is too long for requested model.', { status: 400, verdict: 'fallback', errorClass: 'context_length', code: 'context_length_exceeded' }],
      ['ValidationException', 400, 'messages.0.content: blank text field', { status: 400, verdict: 'final', errorClass: 'invalid_request' }],
      ['ModelNotReadyException', 429, 'Model is not ready', { status: 503, verdict: 'retryable', errorClass: 'server_error' }],
      ['ModelTimeoutException', 408, 'Model timed out', { status: 504, verdict: 'retryable', errorClass: 'timeout' }],
      ['ServiceUnavailableException', 503, 'Service unavailable', { status: 503, verdict: 'retryable', errorClass: 'server_error' }],
      ['InternalServerException', 500, 'Internal error', { status: 502, verdict: 'retryable', errorClass: 'server_error' }],
    ])('%s (HTTP %i, "%s")', async (errorType, status, message, expected) => {
      reply = { kind: 'error', status, errorType, message };

      const error = await gatewayErrorOf(() => chatVia(testProvider(), chatCall({}, { stream }), testContext(fake.url)));

      expect(error).toMatchObject({ ...expected, provider: 'bedrock' });
      expect(error.message).toContain(message);
    });
  });

  it.each([
    ['internalServerException', { status: 502, verdict: 'retryable' }],
    ['serviceUnavailableException', { status: 503, verdict: 'retryable' }],
    ['throttlingException', { status: 429, verdict: 'retryable' }],
    ['validationException', { status: 400, verdict: 'final' }],
    ['modelStreamErrorException', { status: 502, verdict: 'retryable' }],
  ])('a mid-stream %s frame ends the stream with that verdict', async (exception, expected) => {
    reply = { kind: 'stream', jsonl: `${STARTED}{"${exception}":{"message":"went wrong"}}\n` };

    const result = await chatVia(testProvider(), chatCall({}, { stream: true }), testContext(fake.url));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const { chunks, error } = await collect(result.chunks);

    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(['', 'Hi']);
    expect(error).toMatchObject(expected);
    expect(error?.message).toContain('went wrong');
  });

  it('a stream that ends without messageStop is a retryable upstream cut', async () => {
    reply = { kind: 'stream', jsonl: STARTED };

    const result = await chatVia(testProvider(), chatCall({}, { stream: true }), testContext(fake.url));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const { error } = await collect(result.chunks);

    expect(error).toMatchObject({ status: 502, code: 'upstream_cut', verdict: 'retryable', errorClass: 'connection' });
  });

  it('an unreachable endpoint is a retryable connection error', async () => {
    const closed = await startFakeBedrock(() => reply);
    await closed.close();

    const error = await gatewayErrorOf(() => chatVia(testProvider(), chatCall({}), testContext(closed.url)));

    expect(error).toMatchObject({ status: 502, code: 'upstream_connection_error', verdict: 'retryable', errorClass: 'connection' });
  });

  it('an aborted call rethrows the abort reason', async () => {
    reply = { kind: 'stream', jsonl: STARTED };
    const controller = new AbortController();
    const reason = new Error('client closed');
    controller.abort(reason);

    await expect(chatVia(testProvider(), chatCall({}), testContext(fake.url, {}, controller.signal))).rejects.toBe(reason);
  });
});
