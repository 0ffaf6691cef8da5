import { parseConfig } from '../../../../functions/providers/config';
import { GatewayError } from '../../../../functions/core/errors';
import { decodeMessagesRequest } from '../../../../functions/core/protocols/anthropic-messages/decode';
import { validateMessagesRequest } from '../../../../functions/core/protocols/anthropic-messages/validate';

const { limits } = parseConfig({ providers: {}, models: {} });

/** A request shaped like Claude Code's (2.1.x): a `system` turn inside `messages`. */
const claudeCodeTurn = {
  model: 'claude-opus-5-5',
  max_tokens: 128_000,
  system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Run echo via Bash' }] },
    { role: 'system', content: [{ type: 'text', text: '# Environment\nPrimary working directory: /work' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'echo hi' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'hi' }] },
    { role: 'system', content: 'Keep answers short.' },
  ],
  thinking: { type: 'adaptive', display: 'omitted' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'medium' },
  stream: true,
};

describe('Messages → canonical request', () => {
  it('accepts system turns inside messages and keeps each in its place, with its source path', () => {
    const request = decodeMessagesRequest(validateMessagesRequest(structuredClone(claudeCodeTurn), limits));

    expect(request.messages.map((message) => [message.role, message.source])).toEqual([
      ['system', 'system'],
      ['user', 'messages[0]'],
      ['system', 'messages[1]'],
      ['assistant', 'messages[2]'],
      ['tool', 'messages[3].content[0]'],
      ['system', 'messages[4]'],
    ]);
    expect(request.messages[2]?.content).toEqual([{ type: 'text', text: '# Environment\nPrimary working directory: /work', source: 'messages[1].content[0]' }]);
    expect(request.messages[5]?.content).toEqual([{ type: 'text', text: 'Keep answers short.', source: 'messages[4].content' }]);
  });

  it('refuses a system turn that carries anything but text, naming the block', () => {
    const body = structuredClone(claudeCodeTurn) as Record<string, unknown> & { messages: unknown[] };
    body.messages[1] = { role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] };

    const error = (() => {
      try {
        validateMessagesRequest(body, limits);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400 });
    expect((error as GatewayError).message).toContain('messages[1].content[0].type');
  });

  it('refuses a role the Messages API does not have', () => {
    const body = { ...structuredClone(claudeCodeTurn), messages: [{ role: 'tool', content: 'x' }] };
    expect(() => validateMessagesRequest(body, limits)).toThrow(/messages\[0\]\.role/);
  });
});
