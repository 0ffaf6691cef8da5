import type { CanonicalRequest } from '../../../../functions/core/model/request';
import type { CanonicalStreamEvent } from '../../../../functions/core/model/response';
import { lowerCustomTools, raiseCustomToolCalls, raiseCustomToolStream } from '../../../../functions/core/pipeline/custom-tools';

const request = {
  model: 'm',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Patch it.' }] },
    { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'apply_patch', kind: 'custom', arguments: '*** Begin Patch' }] },
  ],
  tools: [
    { type: 'custom', name: 'apply_patch', description: 'Edit files.' },
    { type: 'function', name: 'shell', parameters: { type: 'object' } },
  ],
  stream: true,
  unmodelled: {},
} as unknown as CanonicalRequest;

async function collect(events: CanonicalStreamEvent[]): Promise<CanonicalStreamEvent[]> {
  const out: CanonicalStreamEvent[] = [];
  for await (const event of raiseCustomToolStream((async function* () { yield* events; })(), new Set(['apply_patch']))) out.push(event);
  return out;
}

describe('custom tools for targets that only take function tools', () => {
  it('lowers custom tools and past custom calls to functions of one string, leaving function tools alone', () => {
    const { request: lowered, customTools } = lowerCustomTools(request);

    expect([...customTools]).toEqual(['apply_patch']);
    expect(lowered.tools[0]).toMatchObject({ type: 'function', name: 'apply_patch', description: 'Edit files.', parameters: { required: ['input'] } });
    expect(lowered.tools[1]).toBe(request.tools[1]);
    expect(lowered.messages[1]?.content[0]).toMatchObject({ kind: 'function', arguments: '{"input":"*** Begin Patch"}' });
    expect(lowerCustomTools({ ...request, tools: [request.tools[1]!], messages: [request.messages[0]!] }).request).toEqual({ ...request, tools: [request.tools[1]!], messages: [request.messages[0]!] });
  });

  it('raises a completion’s calls of lowered tools with their raw input (or the arguments as sent when they are not the expected JSON)', () => {
    const raised = raiseCustomToolCalls(
      {
        content: [
          { type: 'tool_call', id: 'c1', name: 'apply_patch', kind: 'function', arguments: '{"input":"*** Begin Patch"}' },
          { type: 'tool_call', id: 'c2', name: 'apply_patch', kind: 'function', arguments: 'not json' },
          { type: 'tool_call', id: 'c3', name: 'shell', kind: 'function', arguments: '{"cmd":"ls"}' },
        ],
        finishReason: 'tool_calls',
      },
      new Set(['apply_patch']),
    );

    expect(raised.content.map((part) => part.type === 'tool_call' && [part.kind, part.arguments])).toEqual([
      ['custom', '*** Begin Patch'],
      ['custom', 'not json'],
      ['function', '{"cmd":"ls"}'],
    ]);
  });

  it('holds a streamed lowered call’s arguments and sends its raw input once the call ends, other calls untouched', async () => {
    const events = await collect([
      { type: 'tool_call_start', index: 0, id: 'c1', name: 'apply_patch', kind: 'function' },
      { type: 'tool_call_delta', index: 0, arguments: '{"input":"*** Begin' },
      { type: 'tool_call_delta', index: 0, arguments: ' Patch"}' },
      { type: 'tool_call_start', index: 1, id: 'c2', name: 'shell', kind: 'function' },
      { type: 'tool_call_delta', index: 1, arguments: '{"cmd":"ls"}' },
      { type: 'tool_call_start', index: 2, id: 'c3', name: 'apply_patch', kind: 'function' },
      { type: 'tool_call_delta', index: 2, arguments: '{"input":"second"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);

    expect(events).toEqual([
      { type: 'tool_call_start', index: 0, id: 'c1', name: 'apply_patch', kind: 'custom' },
      { type: 'tool_call_delta', index: 0, arguments: '*** Begin Patch' },
      { type: 'tool_call_start', index: 1, id: 'c2', name: 'shell', kind: 'function' },
      { type: 'tool_call_delta', index: 1, arguments: '{"cmd":"ls"}' },
      { type: 'tool_call_start', index: 2, id: 'c3', name: 'apply_patch', kind: 'custom' },
      { type: 'tool_call_delta', index: 2, arguments: 'second' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('sends a held call at the end of a stream that never finished it', async () => {
    const events = await collect([
      { type: 'tool_call_start', index: 0, id: 'c1', name: 'apply_patch', kind: 'function' },
      { type: 'tool_call_delta', index: 0, arguments: '{"input":"x"}' },
    ]);
    expect(events.at(-1)).toEqual({ type: 'tool_call_delta', index: 0, arguments: 'x' });
  });
});
