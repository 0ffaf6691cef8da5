import { GatewayError } from '../core/errors';
import { removeSecret } from '../core/logging/redact';
import type { CanonicalCompletion } from '../core/model/response';
import { SseDecoder, type SseEvent } from '../core/streaming/sse-decoder';
import { forwardedHeaders } from './forward-headers';
import type { CallContext, ChatCall, ChatResult, ErrorParser, OutputLimit, ProviderAdapter, ProviderSettings, StreamTranslator } from '../core/ports/provider';

/** An HTTP request to send upstream. */
export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The parts of an HTTP/JSON provider with an SSE streaming API. {@link createHttpProvider}
 * turns them into a {@link ProviderAdapter}; each provider folder supplies its own parts.
 */
export interface HttpChatSpec<S extends ProviderSettings> {
  type: string;
  requiresApiKey: boolean;
  buildChatRequest(call: ChatCall, ctx: CallContext<S>): UpstreamRequest;
  parseCompletion(json: unknown, call: ChatCall, ctx: CallContext<S>): CanonicalCompletion;
  createStreamTranslator(call: ChatCall, ctx: CallContext<S>): StreamTranslator;
  parseError: ErrorParser;
  maxOutputTokens?(model: string): OutputLimit;
}

/** Builds a provider adapter from an {@link HttpChatSpec}. */
export function createHttpProvider<S extends ProviderSettings>(spec: HttpChatSpec<S>, extra: Pick<ProviderAdapter<S>, 'embeddings'> = {}): ProviderAdapter<S> {
  const adapter: ProviderAdapter<S> = {
    type: spec.type,
    requiresApiKey: spec.requiresApiKey,
    async chat(call: ChatCall, ctx: CallContext<S>): Promise<ChatResult> {
      const response = await sendUpstream(ctx, spec.buildChatRequest(call, ctx), spec.parseError);
      if (!call.stream) {
        const json = await readJson(response, ctx);
        return { kind: 'completion', completion: spec.parseCompletion(json, call, ctx) };
      }
      if (!response.body) throw upstreamCut(ctx.providerName, 'The upstream returned an empty stream.');
      return { kind: 'stream', events: translateSse(response.body, spec.createStreamTranslator(call, ctx), ctx) };
    },
  };
  if (spec.maxOutputTokens) adapter.maxOutputTokens = spec.maxOutputTokens.bind(spec);
  if (extra.embeddings) adapter.embeddings = extra.embeddings;
  return adapter;
}

/**
 * POSTs JSON upstream and returns the response when it is 2xx. Non-2xx answers become the
 * provider's GatewayError; network failures become retryable 502 `connection` errors; an abort
 * rethrows the signal's reason (the gateway's timeout or client-closed error).
 */
export async function sendUpstream(ctx: CallContext, request: UpstreamRequest, parseError: ErrorParser): Promise<Response> {
  let response: Response;
  try {
    response = await ctx.fetch(request.url, {
      method: 'POST',
      // The provider's own (auth) headers come last, so nothing forwarded can replace them.
      headers: { 'content-type': 'application/json', ...ctx.settings.headers, ...forwardedHeaders(ctx.clientHeaders, ctx.settings.forwardHeaders), ...request.headers },
      body: JSON.stringify(request.body),
      signal: ctx.signal,
    });
  } catch (error) {
    throw networkError(error, ctx);
  }
  if (response.ok) return response;
  let text = '';
  try {
    text = await response.text();
  } catch (error) {
    throw networkError(error, ctx);
  }
  // Some upstreams echo the key they were sent in their error body; it must not reach the client.
  throw parseError(response.status, removeSecret(text, ctx.apiKey), response.headers, ctx.providerName);
}

/** Reads a JSON body, mapping cuts and malformed JSON to retryable upstream errors. */
export async function readJson(response: Response, ctx: CallContext): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw networkError(error, ctx);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badUpstreamJson(ctx.providerName, 'a body');
  }
}

/** A retryable 502 for an upstream body or stream event that is not JSON. */
export function badUpstreamJson(providerName: string, what: 'a body' | 'a stream event'): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'bad_upstream_response',
    message: `Provider '${providerName}' sent ${what} that is not JSON.`,
    verdict: 'retryable',
    errorClass: 'server_error',
    provider: providerName,
  });
}

/**
 * Decodes an SSE body and runs it through a translator, yielding its items as they complete.
 * Reading, decoding and translating happen in this one generator rather than one per stage: each
 * stage of async iteration costs promise turns on every event of every stream. Reading stops, and
 * the body is cancelled, when the consumer stops iterating.
 */
export async function* translateSse<E>(body: ReadableStream<Uint8Array>, translator: StreamTranslator<E>, ctx: CallContext): AsyncGenerator<E> {
  const decoder = new SseDecoder();
  const reader = body.getReader();
  let ended = false;
  try {
    while (!ended) {
      let events: SseEvent[];
      try {
        const result = await reader.read();
        ended = result.done;
        events = result.done ? decoder.end() : decoder.push(result.value);
      } catch (error) {
        throw streamFailure(error, ctx);
      }
      for (const event of events) for (const item of translated(translator, event, ctx)) yield item;
    }
  } finally {
    if (!ended) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  for (const item of translator.end()) yield item;
}

/**
 * Runs already-decoded SSE events (from another framing such as Bedrock's event stream) through a
 * translator, as {@link translateSse} does; the translator ends the stream.
 */
export async function* translateEvents<E>(events: AsyncIterable<SseEvent>, translator: StreamTranslator<E>, ctx: CallContext): AsyncGenerator<E> {
  try {
    for await (const event of events) for (const item of translated(translator, event, ctx)) yield item;
  } catch (error) {
    throw streamFailure(error, ctx);
  }
  for (const item of translator.end()) yield item;
}

/** The translator's items for one event; what it throws becomes a stream failure. */
function translated<E>(translator: StreamTranslator<E>, event: SseEvent, ctx: CallContext): E[] {
  try {
    return translator.push(event);
  } catch (error) {
    throw streamFailure(error, ctx);
  }
}

/**
 * A failure while reading or translating a stream: a GatewayError passes on without the API key in
 * its message, anything else is a network error.
 */
function streamFailure(error: unknown, ctx: CallContext): unknown {
  if (error instanceof GatewayError) {
    error.message = removeSecret(error.message, ctx.apiKey);
    return error;
  }
  return networkError(error, ctx);
}

/** The error for a stream that ended before its terminal event. */
export function upstreamCut(provider: string, message = 'The upstream stream ended before it was complete.'): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'upstream_cut',
    message: `Provider '${provider}': ${message}`,
    verdict: 'retryable',
    errorClass: 'connection',
    provider,
  });
}

/** Maps a thrown fetch/read failure to a GatewayError (or the abort reason). */
export function networkError(error: unknown, ctx: CallContext): unknown {
  if (ctx.signal.aborted) return ctx.signal.reason;
  if (error instanceof GatewayError) return error;
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'upstream_connection_error',
    message: `Could not reach provider '${ctx.providerName}'.`,
    verdict: 'retryable',
    errorClass: 'connection',
    provider: ctx.providerName,
    cause: error,
  });
}

/** Parses `retry-after` (seconds or HTTP date) and `retry-after-ms` headers into milliseconds. */
export function retryAfterFromHeaders(headers: Headers, nowMs = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
