import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { CanonicalStreamEvent } from '../../core/model/response';
import { upstreamCut } from '../http-provider';
import type { CallContext, ChatCall, ChatResult, ProviderAdapter } from '../../core/ports/provider';
import { BedrockClients, createBedrockClient, type BedrockClientFactory } from './client';
import { bedrockEmbeddings } from './embeddings';
import { mapBedrockError } from './errors';
import { bedrockMaxOutputTokens, isClaudeModel } from './models';
import { invokeClaude } from './claude-native';
import { buildConverseInput } from './request';
import { parseConverseResponse } from './response';
import { loadBedrockSdk } from './sdk';
import { createConverseStreamTranslator, type ConverseStreamTranslator } from './stream';
import type { BedrockSettings } from './settings';

export { createBedrockClient, type BedrockTarget } from './client';

/** Options of {@link createBedrockProvider}. */
export interface BedrockProviderOptions {
  /** Builds the SDK client per (region, endpoint); default {@link createBedrockClient}. */
  createClient?: BedrockClientFactory;
}

/**
 * The AWS Bedrock provider, through the official `@aws-sdk/client-bedrock-runtime` (SigV4 and
 * event-stream framing are the SDK's): Claude models natively, with Anthropic's Messages body
 * through InvokeModel / InvokeModelWithResponseStream (thinking, tools, cache hints and betas
 * survive: claude-native.ts) unless the `claudeApi` setting says `converse`; every other model
 * through the Converse / ConverseStream APIs;
 * embeddings through InvokeModel for Titan and Cohere models. Needs no API key: credentials come from the
 * AWS chain of whatever client {@link BedrockProviderOptions.createClient} builds.
 */
export function createBedrockProvider(options: BedrockProviderOptions = {}): ProviderAdapter<BedrockSettings> {
  const clients = new BedrockClients(options.createClient ?? ((target) => createBedrockClient(target)));
  return {
    type: 'bedrock',
    requiresApiKey: false,
    maxOutputTokens: bedrockMaxOutputTokens,
    async chat(call: ChatCall, ctx: CallContext<BedrockSettings>): Promise<ChatResult> {
      if (isClaudeModel(call.model) && ctx.settings.claudeApi !== 'converse') {
        try {
          const [client, sdk] = await Promise.all([clients.get(ctx.settings), loadBedrockSdk()]);
          return await invokeClaude(call, ctx, client, sdk);
        } catch (error) {
          throw mapBedrockError(error, ctx);
        }
      }
      const { input, responseTool } = buildConverseInput(call, ctx.settings);
      try {
        const [client, { ConverseCommand, ConverseStreamCommand }] = await Promise.all([clients.get(ctx.settings), loadBedrockSdk()]);
        if (!call.stream) {
          const response = await client.send(new ConverseCommand(input), { abortSignal: ctx.signal });
          return { kind: 'completion', completion: parseConverseResponse(response, responseTool) };
        }
        const response = await client.send(new ConverseStreamCommand(input), { abortSignal: ctx.signal });
        if (!response.stream) throw upstreamCut(ctx.providerName, 'Bedrock returned no event stream.');
        return { kind: 'stream', events: translateConverseStream(response.stream, createConverseStreamTranslator(ctx, responseTool), ctx) };
      } catch (error) {
        throw mapBedrockError(error, ctx);
      }
    },
    embeddings: async (call, ctx) => bedrockEmbeddings(await clients.get(ctx.settings), call, ctx),
  };
}

/**
 * Runs decoded ConverseStream events through the translator as they arrive (no buffering).
 * Exception frames surface as SDK exceptions thrown by the iterator and are mapped like errors
 * before the stream, so a mid-stream throttlingException is a retryable 429 GatewayError.
 */
async function* translateConverseStream(
  events: AsyncIterable<ConverseStreamOutput>,
  translator: ConverseStreamTranslator,
  ctx: CallContext<BedrockSettings>,
): AsyncGenerator<CanonicalStreamEvent> {
  try {
    for await (const event of events) yield* translator.push(event);
  } catch (error) {
    throw mapBedrockError(error, ctx);
  }
  yield* translator.end();
}

/**
 * The Bedrock adapter with the default client (standard AWS credential and region chains). Marked
 * pure: a bundle that never refers to it (the gateway of a config without Bedrock) drops it and the
 * SDK client behind it.
 */
export const bedrockProvider: ProviderAdapter<BedrockSettings> = /* @__PURE__ */ createBedrockProvider();
