import type { ServerResponse } from 'node:http';
import { sendJson, startFakeUpstream, type FakeUpstream, type RecordedRequest } from './fake-upstream';

/** How a fake upstream answers one request. */
export type Responder = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** Several named fake upstreams with scripted answers and one shared log of arrivals. */
export interface ScriptedUpstreams {
  /** The upstream of each name (its `requests` record the bodies). */
  readonly upstreams: Record<string, FakeUpstream>;
  /** Names of the upstreams in the order requests arrived: the attempt sequence. */
  readonly calls: string[];
  /** Resolves once `count` requests have arrived in all (since the last reset). */
  arrivals(count: number): Promise<void>;
  /** Answers the next requests to `name` in order; the last responder repeats. */
  script(name: string, ...responders: Responder[]): void;
  /** `baseUrl` for an `openai` provider pointing at `name`. */
  baseUrl(name: string): string;
  /** Forgets calls, requests and scripts. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts one fake upstream per name on 127.0.0.1; unscripted upstreams answer `ok()`. */
export async function startScriptedUpstreams(names: string[]): Promise<ScriptedUpstreams> {
  const calls: string[] = [];
  const waiters: Array<{ count: number; resolve(): void }> = [];
  const scripts = new Map<string, Responder[]>();
  const upstreams: Record<string, FakeUpstream> = {};
  for (const name of names) {
    upstreams[name] = await startFakeUpstream((request, res) => {
      calls.push(name);
      for (const waiter of waiters.filter((w) => calls.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const queue = scripts.get(name) ?? [ok(`hello from ${name}`)];
      const responder = (queue.length > 1 ? queue.shift() : queue[0]) as Responder;
      return responder(request, res);
    });
  }
  return {
    upstreams,
    calls,
    arrivals: (count) => (calls.length >= count ? Promise.resolve() : new Promise((resolve) => void waiters.push({ count, resolve }))),
    script: (name, ...responders) => void scripts.set(name, responders),
    baseUrl: (name) => `${(upstreams[name] as FakeUpstream).url}/v1`,
    reset: () => {
      calls.length = 0;
      scripts.clear();
      for (const upstream of Object.values(upstreams)) upstream.requests.length = 0;
    },
    close: async () => {
      await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
    },
  };
}

function isStream(request: RecordedRequest): boolean {
  return (request.json as { stream?: boolean } | undefined)?.stream === true;
}

function modelOf(request: RecordedRequest): string {
  return (request.json as { model?: string } | undefined)?.model ?? 'unknown';
}

/** An OpenAI chunk of a streamed answer. */
function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] };
}

/** `data:` frames of an OpenAI stream answering `text` in pieces, usage and `[DONE]`. */
function sseAnswer(model: string, pieces: string[]): string {
  const frames = [chunk(model, { role: 'assistant', content: '' }), ...pieces.map((piece) => chunk(model, { content: piece })), chunk(model, {}, 'stop')];
  const completion = pieces.join('').length;
  frames.push({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: completion, total_tokens: 5 + completion } });
  return frames.map((frame) => `data: ${JSON.stringify(frame)}\n\n`).join('') + 'data: [DONE]\n\n';
}

/** A successful answer in the OpenAI wire format (JSON, or SSE when the request streams). */
export function ok(text: string): Responder {
  return (request, res) => {
    const model = modelOf(request);
    if (isStream(request)) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sseAnswer(model, [text.slice(0, 5), text.slice(5)]));
      return;
    }
    sendJson(res, 200, {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    });
  };
}

/** An OpenAI error envelope with `status` (and headers such as `retry-after`). */
export function fail(status: number, message = `upstream failure ${status}`, code: string | null = null, headers: Record<string, string> = {}): Responder {
  return (_request, res) => sendJson(res, status, { error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', param: null, code } }, headers);
}

/** Any JSON body with `status` (another provider's error format). */
export function failWith(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return (_request, res) => sendJson(res, status, body, headers);
}

/** Never answers: no status line, no byte. */
export function hang(): Responder {
  return () => undefined;
}

/** Drops the TCP connection without answering (a connection reset). */
export function resetConnection(): Responder {
  return (_request, res) => void res.socket?.destroy();
}

/** A 200 SSE answer whose body is exactly `text` (malformed SSE, error events). */
export function rawSse(text: string): Responder {
  return (_request, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(text);
  };
}

/**
 * Streams the first `pieces` of an answer, then misbehaves: `reset` drops the connection, `stall`
 * goes silent with the connection open.
 */
export function streamThen(pieces: string[], then: 'reset' | 'stall'): Responder {
  return async (request, res) => {
    const model = modelOf(request);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const frames = [chunk(model, { role: 'assistant', content: '' }), ...pieces.map((piece) => chunk(model, { content: piece }))];
    for (const frame of frames) await new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(frame)}\n\n`, () => resolve()));
    if (then === 'reset') res.socket?.destroy();
  };
}
