import { GatewayError } from '../../../../functions/core/errors';
import type { EmbeddingRequest } from '../../../../functions/core/protocols/openai-chat/types';
import { geminiProvider } from '../../../../functions/providers/gemini';
import { sendJson, startFakeUpstream, type FakeUpstream } from '../../../helpers/fake-upstream';
import { assertOpenAiSchema } from '../../../helpers/openai-schemas';
import { callContext } from '../../../helpers/providers/gemini/harness';

/** Values exactly representable in float32, so the base64 round trip is exact. */
const VECTORS = [
  [0.5, -1.25, 3],
  [0.125, 0, -0.75],
];

/** Decodes base64 little-endian float32, as the OpenAI SDK does. */
function decodeFloat32(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 4 }, (_v, i) => view.getFloat32(i * 4, true));
}

describe('Gemini embeddings via batchEmbedContents', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream((_req, res) => sendJson(res, 200, { embeddings: VECTORS.map((values) => ({ values })) }));
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.requests.splice(0));

  const embed = (request: Partial<EmbeddingRequest>) =>
    geminiProvider.embeddings!({ request: { model: 'alias', input: ['a', 'b'], ...request }, model: 'gemini-embedding-001' }, callContext(upstream.url));

  it('sends one request per input with outputDimensionality and returns float vectors', async () => {
    const response = await embed({ input: ['héllo world', 'second'], dimensions: 3, encoding_format: 'float' });

    expect(upstream.requests[0]?.url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(upstream.requests[0]?.headers['x-goog-api-key']).toBe('test-gemini-key');
    expect(upstream.requests[0]?.json).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'héllo world' }] }, outputDimensionality: 3 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'second' }] }, outputDimensionality: 3 },
      ],
    });
    assertOpenAiSchema('CreateEmbeddingResponse', response);
    expect(response.data).toEqual([
      { object: 'embedding', index: 0, embedding: VECTORS[0] },
      { object: 'embedding', index: 1, embedding: VECTORS[1] },
    ]);
    // Estimated: ceil(UTF-8 bytes / 4) per input — 'héllo world' is 12 bytes, 'second' 6.
    expect(response.usage).toEqual({ prompt_tokens: 3 + 2, total_tokens: 5 });
  });

  it('returns base64 little-endian float32 when asked (the OpenAI SDK default)', async () => {
    const response = await embed({ input: 'one string', encoding_format: 'base64' });

    expect(upstream.requests[0]?.json).toEqual({ requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'one string' }] } }] });
    expect(response.data.map((d) => decodeFloat32(d.embedding as string))).toEqual(VECTORS);
  });

  it('rejects token-id input with a 400 naming input', async () => {
    await expect(embed({ input: [1, 2, 3] })).rejects.toMatchObject({ status: 400, param: 'input' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('maps upstream errors through the Gemini error parser', async () => {
    upstream.setHandler((_req, res) => sendJson(res, 429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' }] } }));

    const error = await embed({}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 2000, verdict: 'retryable' });
  });
});
