import { connect } from 'node:net';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { assertOpenAiSchema } from '../../helpers/openai-schemas';

/** Sends raw bytes to the server and returns everything it answers before closing. */
function rawExchange(url: string, payload: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(payload));
    let answer = '';
    socket.on('data', (data) => (answer += data.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Status line and parsed JSON body of a raw HTTP/1.1 answer. */
function parseAnswer(answer: string): { status: number; body: unknown } {
  const [head, body] = answer.split('\r\n\r\n');
  return { status: Number(head!.split(' ')[1]), body: JSON.parse(body!) };
}

describe('the local server refuses oversized and malformed requests cleanly', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness({
      config: { providers: { demo: { type: 'mock' } }, models: { demo: { targets: [{ provider: 'demo', model: 'mock-1' }] } }, limits: { maxHeaderBytes: 4096 } },
    });
  });
  afterAll(() => harness.close());

  it('answers 431 with an OpenAI error when the header section exceeds maxHeaderBytes (node:http maxHeaderSize)', async () => {
    const answer = await rawExchange(harness.url, `GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${harness.key}\r\nX-Big: ${'b'.repeat(8000)}\r\n\r\n`);
    const { status, body } = parseAnswer(answer);
    expect(status).toBe(431);
    assertOpenAiSchema('ErrorResponse', body);
    expect(body).toMatchObject({ error: { code: 'request_header_fields_too_large' } });
  });

  it('serves a request whose headers are just under the limit', async () => {
    const response = await fetch(`${harness.baseURL}/models`, { headers: { authorization: `Bearer ${harness.key}`, 'x-big': 'b'.repeat(3000) } });
    expect(response.status).toBe(200);
  });

  it('answers 400 with an OpenAI error to a request that is not HTTP', async () => {
    const { status, body } = parseAnswer(await rawExchange(harness.url, 'NOT AN HTTP REQUEST\r\n\r\n'));
    expect(status).toBe(400);
    assertOpenAiSchema('ErrorResponse', body);
  });

  it('keeps serving after all of that', async () => {
    const response = await fetch(`${harness.baseURL}/models`, { headers: { authorization: `Bearer ${harness.key}` } });
    expect(response.status).toBe(200);
  });
});
