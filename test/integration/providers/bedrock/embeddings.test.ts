import type { EmbeddingRequest } from '../../../../functions/core/protocols/openai-chat/types';
import type { FakeUpstream } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema } from '../../../helpers/openai-schemas';
import { gatewayErrorOf, testContext, testProvider } from '../../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock, type FakeBedrockCall, type FakeBedrockReply } from '../../../helpers/providers/bedrock/fake-bedrock';

/** Decodes the OpenAI base64 form (little-endian float32). */
function decodeFloat32(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

describe('Bedrock embeddings through InvokeModel', () => {
  let fake: FakeUpstream;
  const calls: FakeBedrockCall[] = [];
  let reply: (call: FakeBedrockCall) => FakeBedrockReply;
  beforeAll(async () => {
    fake = await startFakeBedrock((call) => {
      calls.push(call);
      return reply(call);
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    calls.length = 0;
  });

  function embed(model: string, request: Partial<EmbeddingRequest>, settings = {}) {
    const provider = testProvider();
    if (!provider.embeddings) throw new Error('bedrock must support embeddings');
    return provider.embeddings({ model, request: { model: 'alias', input: 'x', ...request } }, testContext(fake.url, settings));
  }

  it('calls Titan once per input and sums inputTextTokenCount', async () => {
    reply = (call) => {
      const { inputText } = call.request.json as { inputText: string };
      return { kind: 'json', body: { embedding: [inputText.length, 0.5], inputTextTokenCount: inputText.length } };
    };

    const response = await embed('amazon.titan-embed-text-v2:0', { input: ['abc', 'hello'], encoding_format: 'float', dimensions: 256 });

    assertOpenAiSchema('CreateEmbeddingResponse', response);
    expect(calls.map((call) => [call.operation, call.modelId, call.request.json])).toEqual([
      ['invoke', 'amazon.titan-embed-text-v2:0', { inputText: 'abc', dimensions: 256 }],
      ['invoke', 'amazon.titan-embed-text-v2:0', { inputText: 'hello', dimensions: 256 }],
    ]);
    expect(response).toEqual({
      object: 'list',
      model: 'amazon.titan-embed-text-v2:0',
      data: [
        { object: 'embedding', index: 0, embedding: [3, 0.5] },
        { object: 'embedding', index: 1, embedding: [5, 0.5] },
      ],
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
  });

  it('returns base64 little-endian float32 when encoding_format is base64', async () => {
    reply = () => ({ kind: 'json', body: { embedding: [0.25, -1.5, 3], inputTextTokenCount: 1 } });

    const response = await embed('amazon.titan-embed-text-v2:0', { input: 'a', encoding_format: 'base64' });

    // The OpenAI schema only models float arrays; the API (and its SDK) use a string here.
    expect(decodeFloat32(response.data[0]?.embedding as string)).toEqual([0.25, -1.5, 3]);
  });

  it.each([
    ['cohere.embed-english-v3', { embeddings: [[1, 2], [3, 4]] }],
    ['cohere.embed-v4:0', { embeddings: { float: [[1, 2], [3, 4]] } }],
  ])('batches texts for %s with input_type search_document and reads the token-count header', async (model, body) => {
    reply = () => ({ kind: 'json', body, headers: { 'x-amzn-bedrock-input-token-count': '7' } });

    const response = await embed(model, { input: ['first', 'second'] });

    assertOpenAiSchema('CreateEmbeddingResponse', response);
    expect(calls.map((call) => call.request.json)).toEqual([{ texts: ['first', 'second'], input_type: 'search_document' }]);
    expect(response.data.map((item) => item.embedding)).toEqual([[1, 2], [3, 4]]);
    expect(response.usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
  });

  it.each([
    ['token arrays', 'amazon.titan-embed-text-v2:0', { input: [[1, 2, 3]] }, 'input'],
    ['an empty input list', 'amazon.titan-embed-text-v2:0', { input: [] }, 'input'],
    ['a non-embedding model', 'anthropic.claude-3-haiku-20240307-v1:0', {}, 'model'],
    ['dimensions on Cohere v3', 'cohere.embed-english-v3', { dimensions: 256 }, 'dimensions'],
  ] as const)('answers 400 for %s', async (_case, model, request, param) => {
    const error = await gatewayErrorOf(() => embed(model, request as Partial<EmbeddingRequest>));

    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
    expect(calls).toEqual([]);
  });

  it('maps InvokeModel errors like chat errors', async () => {
    reply = () => ({ kind: 'error', status: 429, errorType: 'ThrottlingException', message: 'Too many requests' });

    expect(await gatewayErrorOf(() => embed('amazon.titan-embed-text-v2:0', {}))).toMatchObject({ status: 429, verdict: 'retryable' });
  });
});
