import type { AuditRecord } from '../../../../functions/core/audit/audit-record';
import { auditPayloadText } from '../../../../functions/core/audit/audit-record';
import { SseTranscript } from '../../../../functions/core/audit/stream-transcript';
import { MessagesAssembler } from '../../../../functions/core/protocols/anthropic-messages/transcript';
import { ChatAssembler } from '../../../../functions/core/protocols/openai-chat/transcript';
import { startCoreGateway } from '../../../helpers/hardening/core-gateway';

const encoder = new TextEncoder();
const sse = (...events: [string | undefined, unknown][]): string => events.map(([name, data]) => `${name ? `event: ${name}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');

describe('the audit record of a request', () => {
  const config = (level: 'full' | 'metadata') => ({
    providers: { demo: { type: 'mock', text: 'The quick brown fox jumps over the lazy dog.', chunks: 6 }, broken: { type: 'mock', text: 'abcdefghij', chunks: 5, error: { status: 500, afterChunks: 2 } } },
    models: { demo: { targets: [{ provider: 'demo', model: 'm' }] }, broken: { targets: [{ provider: 'broken', model: 'm' }] } },
    audit: { default: level },
  });
  const chat = (key: string, model: string) =>
    new Request('http://gw/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': 'audit-test/1' }, body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Hi' }] }) });

  it('is written only after the response is complete, and a slow audit sink never holds the response back', async () => {
    const written: AuditRecord[] = [];
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const core = await startCoreGateway({ config: config('full'), auditSink: {
        write: async (record) => {
          written.push(record);
          await blocked;
        },
      },
    });

    const response = await core.gateway(chat(core.key, 'demo'));
    const body = await response.text();
    expect(body).toContain('data: [DONE]');
    // The whole answer reached the client while the audit sink still holds its write.
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toHaveLength(1);
    release();
    await core.settled();
    expect(core.events).toHaveLength(1);
    const [record] = written;
    const reassembled = JSON.parse(String(record?.response_body)) as { choices: { message: { content: string } }[] };
    expect(reassembled.choices[0]?.message.content).toBe('The quick brown fox jumps over the lazy dog.');
    expect(record).toMatchObject({ request_id: core.events[0]?.request_id, user_agent: 'audit-test/1', method: 'POST', status: 'ok' });
  });

  it('keeps what was sent before a failure mid-stream, and the error that ended it', async () => {
    const written: AuditRecord[] = [];
    const core = await startCoreGateway({ config: config('full'), auditSink: { write: async (record) => void written.push(record) } });
    const body = await (await core.gateway(chat(core.key, 'broken'))).text();
    await core.settled();
    const received = [...body.matchAll(/"content":"([^"]*)"/g)].map((match) => match[1]).join('');
    expect(received.length).toBeGreaterThan(0);
    const reassembled = JSON.parse(String(written[0]?.response_body)) as { choices: { message: { content: string } }[]; error: { type: string } };
    expect(reassembled.choices[0]?.message.content).toBe(received);
    expect(reassembled.error.type).toBe('upstream_error');
    expect(body).toContain('"type":"upstream_error"');
    expect(written[0]).toMatchObject({ status: 'error', http_status: 200 });
  });

  it('is logged whole and counted when the sink fails, and the request is unaffected', async () => {
    const failures: number[] = [];
    const core = await startCoreGateway({
      config: config('metadata'),
      auditSink: { write: async () => Promise.reject(new Error('disk full')) },
      metrics: { recordRequest: () => undefined, recordAuditDeliveryFailure: (count) => void failures.push(count), flush: async () => undefined },
    });
    const response = await core.gateway(chat(core.key, 'demo'));
    expect(response.status).toBe(200);
    await response.text();
    await core.settled();
    expect(failures).toEqual([1]);
    const line = core.logs.find((log) => log.message === 'audit record not written');
    expect(line?.fields?.audit_record).toMatchObject({ audit_level: 'metadata', request_id: core.events[0]?.request_id, request_body: null });
  });
});

describe('stream transcripts', () => {
  it('rebuild an Anthropic message cut mid tool call: the arguments received so far, parsed when whole', () => {
    const transcript = new SseTranscript(new MessagesAssembler());
    const bytes = encoder.encode(
      sse(
        ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'c', usage: { input_tokens: 5, output_tokens: 1 } } }],
        ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'think.' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'c2ln' } }],
        ['content_block_stop', { type: 'content_block_stop', index: 0 }],
        ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't1', name: 'f', input: {} } }],
        ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } }],
        ['content_block_stop', { type: 'content_block_stop', index: 1 }],
        ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 't2', name: 'g', input: {} } }],
        ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"b":' } }],
        ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }],
      ),
    );
    for (let at = 0; at < bytes.length; at += 3) transcript.push(bytes.subarray(at, at + 3));
    expect(transcript.result()).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'c',
      usage: { input_tokens: 5, output_tokens: 1 },
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'c2ln' },
        { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } },
        { type: 'tool_use', id: 't2', name: 'g', input: '{"b":' },
      ],
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('rebuild parallel chat tool calls by index, with their ids and streamed arguments', () => {
    const transcript = new SseTranscript(new ChatAssembler());
    const chunk = (delta: unknown, finish: string | null = null) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
    transcript.push(
      encoder.encode(
        sse(
          [undefined, chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'x', arguments: '' } }, { index: 1, id: 'b', type: 'function', function: { name: 'y', arguments: '{' } }] })],
          [undefined, chunk({ tool_calls: [{ index: 1, function: { arguments: '}' } }, { index: 0, function: { arguments: '{"k":2}' } }] })],
          [undefined, chunk({}, 'tool_calls')],
          [undefined, '[DONE]'],
        ),
      ),
    );
    expect(transcript.result()).toEqual({
      id: 'c1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      usage: null,
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'a', type: 'function', function: { name: 'x', arguments: '{"k":2}' } },
              { id: 'b', type: 'function', function: { name: 'y', arguments: '{}' } },
            ],
          },
        },
      ],
    });
  });
});

describe('audit payload text', () => {
  it('is cut to the byte limit without splitting a character, and says so', () => {
    const { text, truncated } = auditPayloadText({ text: 'é'.repeat(2000) }, 1025);
    expect(truncated).toBe(true);
    expect(new TextEncoder().encode(text ?? '').length).toBeLessThanOrEqual(1025);
    expect(text).toMatch(/^\{"text":"é+$/);
    expect(auditPayloadText({ text: 'short' }, 1024)).toEqual({ text: '{"text":"short"}', truncated: false });
  });
});
