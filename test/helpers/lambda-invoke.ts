import { createRequire } from 'node:module';
import { installAwsLambdaGlobal, invokeBuffered, lambdaContext } from './lambda-streaming-emulator';

/** What the parent test sends (as JSON in `SWITCHYARD_LAMBDA_INVOKE`). */
export interface LambdaInvokeSpec {
  bundle: string;
  functionName: string;
  event: unknown;
  timeoutMs: number;
}

/**
 * A separate Node process standing in for one buffered Lambda invocation (a scheduled function):
 * installs the `awslambda` global, loads the bundle with Node's own loader, invokes its handler
 * once with the event and a context, and prints the result as one JSON line (exit code 1 and the
 * error on stderr when the handler fails).
 */
async function main(): Promise<void> {
  const spec = JSON.parse(process.env.SWITCHYARD_LAMBDA_INVOKE ?? '') as LambdaInvokeSpec;
  installAwsLambdaGlobal();
  const { handler } = createRequire(spec.bundle)(spec.bundle) as { handler: unknown };
  const result = await invokeBuffered(handler, spec.event, lambdaContext(spec.functionName, 'scheduled-invocation', spec.timeoutMs));
  process.stdout.write(`${JSON.stringify(result ?? null)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`lambda invocation failed: ${String(error)}\n`);
  process.exit(1);
});
