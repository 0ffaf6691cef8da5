import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toStreamingResponse, toWebRequest } from '../../../../functions/adapters/aws/api-gateway-http';

function event(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    resource: '/v1/{proxy+}',
    path: '/v1/chat/completions',
    httpMethod: 'POST',
    headers: { Host: 'abc.execute-api.us-east-1.amazonaws.com', 'Content-Type': 'application/json' },
    multiValueHeaders: { Host: ['abc.execute-api.us-east-1.amazonaws.com'], 'Content-Type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'chat/completions' },
    stageVariables: null,
    requestContext: { domainName: 'abc.execute-api.us-east-1.amazonaws.com', stage: 'prod', path: '/prod/v1/chat/completions' } as APIGatewayProxyEvent['requestContext'],
    body: '{"model":"demo"}',
    isBase64Encoded: false,
    ...overrides,
  };
}

describe('toWebRequest', () => {
  it('rebuilds URL (without the stage prefix), method, headers and body', async () => {
    const request = toWebRequest(event({}));
    expect(request.url).toBe('https://abc.execute-api.us-east-1.amazonaws.com/v1/chat/completions');
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toBe('application/json');
    await expect(request.text()).resolves.toBe('{"model":"demo"}');
  });

  it('keeps repeated headers and query parameters', () => {
    const request = toWebRequest(
      event({
        httpMethod: 'GET',
        path: '/v1/models',
        body: null,
        multiValueHeaders: { 'X-Switchyard-Tags': ['service=a', 'feature=b'] },
        multiValueQueryStringParameters: { q: ['1', '2'] },
      }),
    );
    expect(request.headers.get('x-switchyard-tags')).toBe('service=a, feature=b');
    expect(new URL(request.url).searchParams.getAll('q')).toEqual(['1', '2']);
  });

  it('decodes a base64 body', async () => {
    const request = toWebRequest(event({ body: Buffer.from('{"a":"ü"}').toString('base64'), isBase64Encoded: true }));
    await expect(request.text()).resolves.toBe('{"a":"ü"}');
  });
});

describe('toStreamingResponse', () => {
  it('puts status and headers in the prelude and streams the body unbuffered', async () => {
    // The second event is only produced after the first reached the consumer: a converter
    // that buffered the body would never yield.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode('data: 1\n\n'));
        await released;
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      },
    });
    const headers = new Headers({ 'content-type': 'text/event-stream', 'x-request-id': 'req_1' });
    headers.append('set-cookie', 'a=1');
    const result = toStreamingResponse(new Response(body, { status: 200, headers }));

    expect(result).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req_1' }, cookies: ['a=1'] });
    const pieces: string[] = [];
    for await (const piece of result.body as AsyncIterable<Buffer>) {
      pieces.push(piece.toString());
      release();
    }
    expect(pieces).toEqual(['data: 1\n\n', 'data: [DONE]\n\n']);
  });
});
