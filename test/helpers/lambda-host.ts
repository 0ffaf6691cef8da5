import { createRequire } from 'node:module';
import { startApiGatewayFront } from './api-gateway-front';
import type { GatewayResponseTemplate } from './api-gateway-front';
import { installAwsLambdaGlobal } from './lambda-streaming-emulator';

/** What the parent test sends the host (as JSON in `SWITCHYARD_LAMBDA_HOST`). */
export interface LambdaHostSpec {
  stage: string;
  gatewayBundle: string;
  authorizerBundle: string;
  authorizerTtlSeconds: number;
  gatewayResponses: Record<string, GatewayResponseTemplate>;
  /** The gateway function's timeout, from its template (or shorter, to emulate a timeout). */
  gatewayTimeoutMs: number;
}

/**
 * A separate Node process standing in for Lambda + API Gateway: installs the `awslambda` global,
 * loads the two bundles with Node's own loader (`@aws-sdk/*` from NODE_PATH, as in Lambda),
 * starts the API Gateway front and prints `{"url": …}` on stdout, then `{"relayed": n}` (body
 * pieces) after each streamed response. It exits when stdin closes,
 * so it never outlives the test that started it. An invocation that outlives the gateway's timeout
 * ends it as Lambda ends an execution environment that timed out: at once (SIGKILL), whatever is in
 * flight, after printing `{"timedOut": <invocation id>}`.
 */
async function main(): Promise<void> {
  const spec = JSON.parse(process.env.SWITCHYARD_LAMBDA_HOST ?? '') as LambdaHostSpec;
  installAwsLambdaGlobal();
  const load = (path: string): unknown => (createRequire(path)(path) as { handler: unknown }).handler;
  const authorizer = load(spec.authorizerBundle);
  const gateway = load(spec.gatewayBundle);
  const front = await startApiGatewayFront({
    stage: spec.stage,
    gateway,
    authorizer,
    authorizerTtlSeconds: spec.authorizerTtlSeconds,
    gatewayResponses: spec.gatewayResponses,
    onRelayed: (pieces) => process.stdout.write(`${JSON.stringify({ relayed: pieces })}\n`),
    functionTimeoutMs: spec.gatewayTimeoutMs,
    onFunctionTimeout: (requestId) => {
      process.stdout.write(`${JSON.stringify({ timedOut: requestId })}\n`, () => process.kill(process.pid, 'SIGKILL'));
    },
  });
  process.stdout.write(`${JSON.stringify({ url: front.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void front.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`lambda host failed: ${String(error)}\n`);
  process.exit(1);
});
