import type { GatewayError } from '../errors';
import type { CanonicalRequest } from '../model/request';
import type { CanonicalCompletion, CanonicalStreamEvent } from '../model/response';
import type { EmbeddingRequest, EmbeddingResponse } from '../protocols/openai-chat/types';
import type { SseEvent } from '../streaming/sse-decoder';

/**
 * The settings every provider type has (`providers.<name>` in switchyard.config.json). Each type
 * extends them with its own fields, validated by its own schema (`functions/providers/<type>/settings.ts`)
 * when the config is read, and sees them typed through {@link CallContext}'s type parameter.
 */
export interface ProviderSettings {
  type: string;
  /** Endpoint override, in the form of the provider's official SDK (see DESIGN §3). */
  baseUrl?: string;
  /** Name of the secret holding the API key (Secrets Manager on AWS, env var locally). */
  apiKeySecret?: string;
  /** Extra static headers sent upstream on every call. */
  headers?: Record<string, string>;
  /** Client request headers that may be forwarded upstream; nothing else from the client is. */
  forwardHeaders?: string[];
  /** Drop request parameters this provider cannot honour instead of answering 400. */
  dropUnsupportedParams?: boolean;
}

/** One chat call to a provider, already routed to a concrete provider model. */
export interface ChatCall {
  /**
   * The client's request, decoded into the canonical model (with the client's own body in
   * `request.native` for pass-through). Providers must not mutate it.
   */
  request: CanonicalRequest;
  /** The provider's model name (after alias resolution and per-target overrides). */
  model: string;
  /** Whether to use the provider's streaming API. */
  stream: boolean;
  /**
   * Output token limit to send upstream: the client's limit (capped to the target's), or the
   * model's limit injected by the gateway so the budget reservation is an upper bound.
   */
  maxOutputTokens: number | undefined;
}

/** One embeddings call to a provider. */
export interface EmbeddingCall {
  request: EmbeddingRequest;
  model: string;
}

/**
 * What a provider needs from the outside for one call. `S` is the provider type's settings: the
 * core passes the entry its config holds for the provider, which that type's schema validated.
 */
export interface CallContext<S extends ProviderSettings = ProviderSettings> {
  /** Name of the provider in config (for error attribution). */
  providerName: string;
  settings: S;
  /** Resolved API key, or `undefined` for providers that need none (mock, Bedrock, local servers). */
  apiKey: string | undefined;
  /** Web-standard fetch (injected so tests and runtimes can replace it). */
  fetch: typeof fetch;
  /** The client's request headers; only those in `settings.forwardHeaders` are ever sent upstream. */
  clientHeaders?: Headers;
  /** Aborted on client disconnect, timeouts and overall deadline. */
  signal: AbortSignal;
  /** Epoch seconds, used for `created` when the provider gives none. */
  nowSeconds(): number;
  requestId: string;
}

/**
 * The result of a chat call: a whole completion or a stream of events in the canonical model, or,
 * when the provider passed the client's request through natively, the answer in the ingress
 * protocol's own wire format (`request.native.protocol`): the body, or the parsed stream events.
 */
export type ChatResult =
  | { kind: 'completion'; completion: CanonicalCompletion }
  | { kind: 'stream'; events: AsyncIterable<CanonicalStreamEvent> }
  | { kind: 'native-completion'; body: unknown }
  | { kind: 'native-stream'; events: AsyncIterable<unknown> };

/**
 * A provider adapter: one exported object per provider folder. The core never branches on a
 * provider name; it only calls these methods.
 *
 * Streams yield canonical events; a `usage` event reports the (running or final) usage and the
 * core keeps the last one. Errors are thrown as {@link GatewayError} with a routing verdict,
 * both before the stream starts and in the middle of it.
 */
/** A model's output token limit, as its provider knows it. */
export interface OutputLimit {
  /** The limit to send upstream when the client sent none. */
  tokens: number;
  /**
   * Whether `tokens` is the model's documented maximum, to which a larger client limit is capped
   * (the provider would reject it), or only a safe default for a model the provider does not know.
   */
  documented: boolean;
}

export interface ProviderAdapter<S extends ProviderSettings = ProviderSettings> {
  readonly type: string;
  chat(call: ChatCall, ctx: CallContext<S>): Promise<ChatResult>;
  /** Present only for providers with an embeddings API. */
  embeddings?(call: EmbeddingCall, ctx: CallContext<S>): Promise<EmbeddingResponse>;
  /**
   * Present only for providers that count tokens: the exact input tokens `request` costs on
   * `model` (the client's own body where the provider speaks its protocol, else the request
   * translated), or `undefined` when this target cannot count such a request.
   */
  countInputTokens?(request: CanonicalRequest, model: string, ctx: CallContext<S>): Promise<number | undefined>;
  /** The model's output token limit: sent when the client sent none, and a cap when documented. */
  maxOutputTokens?(model: string): OutputLimit;
  /** Whether the provider needs an API key (so a missing secret is reported clearly). */
  readonly requiresApiKey: boolean;
}

/**
 * Per-request translator of a provider's SSE events into canonical events, or into native events
 * for a pass-through (CONVENTIONS 5). `push` may return zero or more events and throws a
 * GatewayError for error events; `end` is called once the upstream closes and returns the closing
 * events, or throws when the stream was cut before its terminal event.
 */
export interface StreamTranslator<E = CanonicalStreamEvent> {
  push(event: SseEvent): E[];
  end(): E[];
}

/** Maps an upstream error response to a GatewayError with a verdict. */
export type ErrorParser = (status: number, body: string, headers: Headers, providerName: string) => GatewayError;

/** Provider adapters by config `type`; the entry points pass the registry into the core. */
export type ProviderRegistry = Readonly<Record<string, ProviderAdapter>>;
