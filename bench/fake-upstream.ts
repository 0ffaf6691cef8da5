/**
 * The fake upstream of the benchmark, run in its own process (forked by `bench/run.ts`) so its CPU
 * never counts against the gateway or the load generator. It speaks two protocols:
 * - OpenAI: `POST /v1/chat/completions` answers instantly with a small completion, or — when the
 *   body asks for `"stream": true` — with a paced SSE stream: a role chunk at once,
 *   `CONTENT_CHUNKS` content chunks `intervalMs` apart, a finish chunk, a usage chunk and `[DONE]`
 *   (24 events);
 * - Anthropic: `POST /v1/messages` answers with a small message, or a paced stream of the same
 *   length: `message_start` and `content_block_start` at once, `CONTENT_CHUNKS - 1` text deltas
 *   `intervalMs` apart, then `content_block_stop`, `message_delta` and `message_stop` (24 events);
 * - OpenAI Responses: `POST /v1/responses` answers with a small response, or a paced stream of the
 *   same length (4 events, `CONTENT_CHUNKS - 4` text deltas, 4 events ending in `response.completed`).
 * It reports its URL (with `/v1`) over IPC and exits when its parent disconnects.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Content chunks per stream; with role, finish, usage and `[DONE]` a stream has 24 events. */
export const CONTENT_CHUNKS = 20;

const MODEL = 'gpt-4o-mini';
const USAGE = { prompt_tokens: 12, completion_tokens: CONTENT_CHUNKS, total_tokens: 12 + CONTENT_CHUNKS };

function completionBody(): string {
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the bench upstream.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: USAGE,
  });
}

function chunk(delta: Record<string, unknown>, finish: string | null, created: number): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: MODEL, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
}

/**
 * A paced SSE stream: `head` at once, then `count` content events `intervalMs` apart (`content(n)`
 * for n = 1…count), then `tail` and the end of the response.
 */
function pacedStream(res: ServerResponse, intervalMs: number, stream: { head: string[]; count: number; content(n: number): string; tail(): string[] }): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  for (const event of stream.head) res.write(event);
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    sent += 1;
    res.write(stream.content(sent));
    if (sent < stream.count) return;
    clearInterval(timer);
    const tail = stream.tail();
    for (const event of tail.slice(0, -1)) res.write(event);
    res.end(tail[tail.length - 1]);
  }, intervalMs);
}

function chatStream(res: ServerResponse, intervalMs: number): void {
  const created = Math.floor(Date.now() / 1000);
  pacedStream(res, intervalMs, {
    head: [chunk({ role: 'assistant', content: '' }, null, created)],
    count: CONTENT_CHUNKS,
    content: (n) => chunk({ content: `tok${n} ` }, null, created),
    tail: () => [chunk({}, 'stop', created), `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: MODEL, choices: [], usage: USAGE })}\n\n`, 'data: [DONE]\n\n'],
  });
}

const CLAUDE = 'claude-sonnet-4-5';

function messageBody(): string {
  return JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: CLAUDE,
    content: [{ type: 'text', text: 'Hello from the bench upstream.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: CONTENT_CHUNKS },
  });
}

function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function messagesStream(res: ServerResponse, intervalMs: number): void {
  pacedStream(res, intervalMs, {
    head: [
      event('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', model: CLAUDE, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ],
    count: CONTENT_CHUNKS - 1,
    content: (n) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: `tok${n} ` } }),
    tail: () => [
      event('content_block_stop', { index: 0 }),
      event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: CONTENT_CHUNKS } }),
      event('message_stop', {}),
    ],
  });
}

/** A Responses API response object around `output`. */
function responseObject(status: string, output: unknown[], usage: unknown): Record<string, unknown> {
  return { id: 'resp_bench', object: 'response', created_at: Math.floor(Date.now() / 1000), status, model: MODEL, output, usage, error: null, incomplete_details: null };
}

const RESPONSE_USAGE = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: CONTENT_CHUNKS, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 + CONTENT_CHUNKS };

function responseMessage(text: string): Record<string, unknown> {
  return { id: 'msg_bench', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
}

/** The Responses event stream: 4 events before the text, `CONTENT_CHUNKS - 4` deltas, 4 after (24 events). */
function responsesStream(res: ServerResponse, intervalMs: number): void {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const count = CONTENT_CHUNKS - 4;
  const text = Array.from({ length: count }, (_, i) => `tok${i + 1} `).join('');
  const item = { item_id: 'msg_bench', output_index: 0, content_index: 0 };
  pacedStream(res, intervalMs, {
    head: [
      event('response.created', { response: responseObject('in_progress', [], null) }),
      event('response.in_progress', { response: responseObject('in_progress', [], null) }),
      event('response.output_item.added', { output_index: 0, item: { ...responseMessage(''), status: 'in_progress', content: [] } }),
      event('response.content_part.added', { ...item, part: { type: 'output_text', text: '', annotations: [] } }),
    ],
    count,
    content: (n) => event('response.output_text.delta', { ...item, delta: `tok${n} ` }),
    tail: () => [
      event('response.output_text.done', { ...item, text }),
      event('response.content_part.done', { ...item, part: { type: 'output_text', text, annotations: [] } }),
      event('response.output_item.done', { output_index: 0, item: responseMessage(text) }),
      event('response.completed', { response: responseObject('completed', [responseMessage(text)], RESPONSE_USAGE) }),
    ],
  });
}

function handle(req: IncomingMessage, res: ServerResponse, intervalMs: number): void {
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    const messages = req.url?.endsWith('/v1/messages') === true;
    const responses = req.url?.endsWith('/v1/responses') === true;
    if (req.method !== 'POST' || (!messages && !responses && !req.url?.endsWith('/chat/completions'))) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    // A substring test instead of JSON.parse keeps the upstream's own CPU cost tiny.
    if (Buffer.concat(parts).includes('"stream":true')) {
      (messages ? messagesStream : responses ? responsesStream : chatStream)(res, intervalMs);
      return;
    }
    const body = messages ? messageBody() : responses ? JSON.stringify(responseObject('completed', [responseMessage('Hello from the bench upstream.')], RESPONSE_USAGE)) : completionBody();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
}

/** Starts the fake upstream on 127.0.0.1 (port 0). */
export async function startFakeUpstream(intervalMs: number): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => handle(req, res, intervalMs));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, close: () => server.close() };
}

if (require.main === module) {
  const intervalMs = Number(process.argv[2] ?? '1');
  void startFakeUpstream(intervalMs).then(({ url }) => {
    process.send?.({ url });
    process.on('disconnect', () => process.exit(0));
  });
}
