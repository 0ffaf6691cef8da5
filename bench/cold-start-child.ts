/**
 * One cold start, in a fresh process: installs the emulated `awslambda` runtime global, requires
 * a bundle (its module init, AWS SDK included: the bundle carries it) and, in `request` mode,
 * serves one streamed chat completion through the streaming emulation and reads it to the end.
 * Prints `{"initMs","firstRequestMs"?}` on stdout. `bench/cold-start.ts` bundles this file with
 * esbuild so no TypeScript loader runs in the measured process.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { installAwsLambdaGlobal, invokeStreaming, lambdaContext, readStreamedHttpResponse } from '../test/helpers/lambda-streaming-emulator';

async function main(): Promise<void> {
  const [bundlePath, mode] = process.argv.slice(2);
  installAwsLambdaGlobal();
  const initStarted = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the measured module load itself
  const { handler } = require(bundlePath as string) as { handler: unknown };
  const initMs = performance.now() - initStarted;
  if (mode !== 'request') {
    process.stdout.write(JSON.stringify({ initMs }) + '\n');
    return;
  }

  const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say hello in twenty words.' }], stream: true });
  const event = {
    resource: '/v1/{proxy+}',
    path: '/v1/chat/completions',
    httpMethod: 'POST',
    headers: { host: 'bench.example', 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'chat/completions' },
    stageVariables: null,
    body,
    isBase64Encoded: false,
    // The authorizer already checked the key: a principal without limits needs no table.
    requestContext: { authorizer: { keyId: 'bench', keyName: 'bench' }, domainName: 'bench.example', requestId: 'cold-start', stage: 'prod' },
  } as unknown as APIGatewayProxyEvent;
  const requestStarted = performance.now();
  const invocation = invokeStreaming(handler, event, lambdaContext('switchyard-gateway', 'cold-start'));
  const response = await readStreamedHttpResponse(invocation);
  let text = '';
  for await (const piece of response.body) text += piece.toString('utf8');
  await invocation.done;
  const firstRequestMs = performance.now() - requestStarted;
  if (response.statusCode !== 200 || !text.includes('data: [DONE]')) throw new Error(`first request failed: HTTP ${response.statusCode} ${text.slice(0, 300)}`);
  process.stdout.write(JSON.stringify({ initMs, firstRequestMs }) + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
