import type * as BedrockRuntime from '@aws-sdk/client-bedrock-runtime';
import type * as NodeHttpHandlerModule from '@smithy/node-http-handler';

/** The Bedrock runtime SDK module (`@aws-sdk/client-bedrock-runtime`). */
export type BedrockSdk = typeof BedrockRuntime;

let bedrockSdk: Promise<BedrockSdk> | undefined;
let httpHandlerModule: Promise<typeof NodeHttpHandlerModule> | undefined;

/**
 * Loads the Bedrock runtime SDK on first use and returns the same module afterwards. The gateway
 * bundle carries it, but evaluating it costs cold-start time that a deployment with no Bedrock
 * target should not pay, so nothing imports it at module load.
 */
export function loadBedrockSdk(): Promise<BedrockSdk> {
  bedrockSdk ??= import('@aws-sdk/client-bedrock-runtime');
  return bedrockSdk;
}

/** `@smithy/node-http-handler` (the HTTP/1.1 handler the Bedrock client is given), loaded on first use. */
export function loadNodeHttpHandler(): Promise<typeof NodeHttpHandlerModule> {
  httpHandlerModule ??= import('@smithy/node-http-handler');
  return httpHandlerModule;
}
