import { createServer, type Server, type Socket } from 'node:net';
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sdkClientConfig } from '../../../../functions/adapters/aws/sdk-client-config';

/**
 * Every AWS SDK client of the functions and the CLI is built with connection and request
 * timeouts: against an endpoint that accepts the connection and then never answers (a half-open
 * connection, a stuck proxy), a call fails instead of holding the request until Lambda times out.
 */
describe('AWS SDK clients with connection and request timeouts', () => {
  let server: Server;
  let endpoint: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Reads the request and never answers.
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails a call the endpoint never answers with a request timeout', async () => {
    const client = new DynamoDBClient({
      ...sdkClientConfig({ connectionMs: 1_000, requestMs: 200 }),
      endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const error = await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'k' } } })).catch((e: unknown) => e);
    client.destroy();

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('TimeoutError');
    expect(sockets.length).toBeGreaterThan(0);
  });
});
