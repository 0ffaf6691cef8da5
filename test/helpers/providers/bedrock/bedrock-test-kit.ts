import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../../../../functions/core/errors';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../../../functions/core/protocols/openai-chat/types';
import { createBedrockClient, createBedrockProvider } from '../../../../functions/providers/bedrock';
import type { CallContext, ChatCall, ProviderAdapter } from '../../../../functions/core/ports/provider';
import { decodedCall } from '../../chat-protocol';
import type { BedrockSettings } from '../../../../functions/providers/bedrock/settings';
import { SHARED_DIR } from '../../openai-schemas';

/** The shared Bedrock fixtures directory. */
const FIXTURES = join(SHARED_DIR, 'fixtures', 'bedrock');

/** Names of every streaming fixture (`*.jsonl`). */
export const STREAM_FIXTURES = readdirSync(FIXTURES).filter((name) => name.endsWith('.jsonl')).sort();

/** Reads a fixture file as text. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** A provider whose SDK clients use explicit test credentials (no AWS chain lookups). */
export function testProvider(): ProviderAdapter<BedrockSettings> {
  return createBedrockProvider({ createClient: (target) => createBedrockClient(target, { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }) });
}

/**
 * A call context pointing the provider at `baseUrl`, on the Converse API for every model (the
 * recorded fixtures are ConverseStream streams of Claude): the Claude InvokeModel path has its
 * own tests.
 */
export function testContext(baseUrl: string, settings: Partial<Omit<BedrockSettings, 'type'>> = {}, signal: AbortSignal = new AbortController().signal): CallContext<BedrockSettings> {
  return {
    providerName: 'bedrock',
    settings: { type: 'bedrock', region: 'us-east-1', baseUrl, claudeApi: 'converse', ...settings },
    apiKey: undefined,
    fetch,
    signal,
    nowSeconds: () => 1_700_000_000,
    requestId: 'req-1',
  };
}

/** A chat call for `model` with the given request fields. */
export function chatCall(request: Partial<ChatCompletionRequest>, options: { model?: string; stream?: boolean; maxOutputTokens?: number } = {}): ChatCall {
  const body: ChatCompletionRequest = { model: 'alias', messages: [{ role: 'user', content: 'Hello' }], ...request };
  return decodedCall(body, { model: options.model ?? 'anthropic.claude-3-5-sonnet-20240620-v1:0', stream: options.stream ?? false, maxOutputTokens: options.maxOutputTokens });
}

/** What a stream produced: every chunk, and the error that ended it, if any. */
export interface Collected {
  chunks: ChatCompletionChunk[];
  error: GatewayError | undefined;
}

/** Drains a chunk stream, keeping the GatewayError that ends it (anything else fails the test). */
export async function collect(chunks: AsyncIterable<ChatCompletionChunk>): Promise<Collected> {
  const out: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of chunks) out.push(chunk);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { chunks: out, error };
  }
  return { chunks: out, error: undefined };
}

/** Runs `action` and returns the GatewayError it throws. */
export async function gatewayErrorOf(action: () => unknown): Promise<GatewayError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}
