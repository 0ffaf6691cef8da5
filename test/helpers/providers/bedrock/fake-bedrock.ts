import type { ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { sendJson, startFakeUpstream, writeInPieces, type FakeUpstream, type RecordedRequest } from '../../fake-upstream';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** ConverseStream event names that AWS sends as `:message-type exception` frames. */
const EXCEPTION_EVENTS = new Set([
  'internalServerException',
  'modelStreamErrorException',
  'serviceUnavailableException',
  'throttlingException',
  'validationException',
]);

/** One event-stream frame: its kind headers and a JSON payload. */
function frame(kind: Record<string, string>, payload: unknown): Uint8Array {
  const headers = Object.fromEntries(Object.entries({ ...kind, ':content-type': 'application/json' }).map(([key, value]) => [key, { type: 'string' as const, value }]));
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
}

/**
 * Frames JSONL ConverseStream events as `application/vnd.amazon.eventstream` messages, the way
 * Bedrock does: `{"messageStart":{…}}` becomes an event frame named `messageStart` whose payload
 * is the inner JSON; exception members become exception frames.
 */
function encodeEventStream(jsonl: string): Buffer {
  const frames = jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, payload] = Object.entries(JSON.parse(line) as Record<string, unknown>)[0] as [string, unknown];
      return frame(EXCEPTION_EVENTS.has(name) ? { ':message-type': 'exception', ':exception-type': name } : { ':message-type': 'event', ':event-type': name }, payload);
    });
  return Buffer.concat(frames);
}

/**
 * Frames an Anthropic SSE stream the way InvokeModelWithResponseStream carries Claude's events:
 * one `chunk` frame per event, its JSON base64-encoded under `bytes`, with Bedrock's invocation
 * metrics added to `message_stop`; an `error` event becomes a `modelStreamErrorException` frame
 * carrying the model's status (529 when overloaded), as Bedrock reports a model failure.
 */
function encodeClaudeStream(sse: string): Buffer {
  const frames = sse
    .split(/\n\n/)
    .map((block) => /^data: (.*)$/m.exec(block)?.[1])
    .filter((data): data is string => data !== undefined)
    .map((data) => {
      const event = JSON.parse(data) as { type: string; error?: { type?: string; message?: string } };
      if (event.type === 'error') {
        return frame({ ':message-type': 'exception', ':exception-type': 'modelStreamErrorException' }, { message: event.error?.message ?? 'error', originalStatusCode: event.error?.type === 'overloaded_error' ? 529 : 500 });
      }
      const payload = event.type === 'message_stop' ? { ...event, 'amazon-bedrock-invocationMetrics': { inputTokenCount: 10, outputTokenCount: 5, invocationLatency: 100, firstByteLatency: 50 } } : event;
      return frame({ ':message-type': 'event', ':event-type': 'chunk' }, { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') });
    });
  return Buffer.concat(frames);
}

/** How the fake answers one request. */
export type FakeBedrockReply =
  | { kind: 'stream'; jsonl: string; pieceSize?: number }
  /** An Anthropic SSE stream (a recorded fixture), sent as InvokeModelWithResponseStream frames. */
  | { kind: 'claude-stream'; sse: string; pieceSize?: number }
  | { kind: 'json'; body: unknown; status?: number; headers?: Record<string, string> }
  | { kind: 'error'; status: number; errorType: string; message: string };

/** What the fake was asked: the operation and model id decoded from the REST path. */
export interface FakeBedrockCall {
  operation: 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';
  modelId: string;
  request: RecordedRequest;
}

/**
 * A fake Bedrock runtime endpoint on 127.0.0.1 speaking the real REST-JSON + event-stream wire
 * format, so the real `BedrockRuntimeClient` (with an HTTP/1.1 handler) talks to it unchanged.
 */
export async function startFakeBedrock(reply: (call: FakeBedrockCall) => FakeBedrockReply): Promise<FakeUpstream> {
  return startFakeUpstream(async (request, res) => {
    const match = /^\/model\/([^/]+)\/(converse-stream|converse|invoke-with-response-stream|invoke)$/.exec(request.url);
    if (request.method !== 'POST' || !match) {
      sendError(res, 404, 'UnknownOperationException', `No route for ${request.method} ${request.url}`);
      return;
    }
    const answer = reply({ operation: match[2] as FakeBedrockCall['operation'], modelId: decodeURIComponent(match[1] ?? ''), request });
    if (answer.kind === 'error') {
      sendError(res, answer.status, answer.errorType, answer.message);
    } else if (answer.kind === 'json') {
      sendJson(res, answer.status ?? 200, answer.body, answer.headers);
    } else {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'fake-request-id' });
      const frames = answer.kind === 'stream' ? encodeEventStream(answer.jsonl) : encodeClaudeStream(answer.sse);
      await writeInPieces(res, frames, answer.pieceSize ?? Number.MAX_SAFE_INTEGER);
    }
  });
}

/** An AWS REST-JSON error: the type travels in `x-amzn-errortype`, the message in the body. */
function sendError(res: ServerResponse, status: number, errorType: string, message: string): void {
  sendJson(res, status, { message }, { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}
