import type { ChatCompletionRequest } from '../../../../functions/core/protocols/openai-chat/types';
import type { CallContext, ChatCall } from '../../../../functions/core/ports/provider';
import { decodedCall } from '../../chat-protocol';
import type { AnthropicSettings } from '../../../../functions/providers/anthropic/settings';

/** A chat call to `claude-sonnet-4-5` for `request`, as the gateway would route it. */
export function makeCall(request: Partial<ChatCompletionRequest>, overrides: Partial<Omit<ChatCall, 'request'>> = {}): ChatCall {
  const full: ChatCompletionRequest = { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], ...request };
  return { ...decodedCall(full, { model: 'claude-sonnet-4-5', maxOutputTokens: 1000 }), ...overrides };
}

/** A call context with real `fetch`, pointed at `baseUrl` (a fake upstream in tests). */
export function makeContext(settings: Partial<Omit<AnthropicSettings, 'type'>> = {}, signal: AbortSignal = new AbortController().signal): CallContext<AnthropicSettings> {
  return {
    providerName: 'anthropic',
    settings: { type: 'anthropic', ...settings },
    apiKey: 'sk-ant-test',
    fetch,
    signal,
    nowSeconds: () => 1_700_000_000,
    requestId: 'req-1',
  };
}
