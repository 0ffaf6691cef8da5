import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createLocalGateway } from '../../../../functions/adapters/local/local-gateway';

import { createKeyRecord } from '../../../../functions/core/keys/new-key';
import { defaultProviders } from '../../../../functions/providers/registry';
import type { FakeUpstream } from '../../../helpers/fake-upstream';
import { fixture, testProvider } from '../../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock } from '../../../helpers/providers/bedrock/fake-bedrock';
import { parseConfig } from '../../../../functions/providers/config';

describe('openai SDK → gateway → Bedrock (fake ConverseStream endpoint)', () => {
  let fake: FakeUpstream;
  let dataDir: string;
  let client: OpenAI;
  let fixtureName: string;
  beforeAll(async () => {
    fake = await startFakeBedrock(() => ({ kind: 'stream', jsonl: fixture(fixtureName), pieceSize: 1 }));
    dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bedrock-'));
    const config = parseConfig({
      // The recorded fixtures are ConverseStream streams of Claude.
      providers: { aws: { type: 'bedrock', region: 'us-east-1', baseUrl: fake.url, claudeApi: 'converse' } },
      models: { claude: { targets: [{ provider: 'aws', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' }] } },
      retry: { attempts: 1 },
    });
    const { gateway, keyStore } = createLocalGateway({
      config,
      dataDir,
      env: {},
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      providers: { ...defaultProviders, bedrock: testProvider() },
    });
    const { key, record } = await createKeyRecord({ name: 'e2e' }, new Date());
    await keyStore.put(record);
    client = new OpenAI({ apiKey: key, baseURL: 'http://gateway.test/v1', maxRetries: 0, fetch: (url, init) => gateway(new Request(url, init)) });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('chat.completions.stream() consumes a translated tool-call stream and yields the final message', async () => {
    fixtureName = 'text-then-two-tools.jsonl';

    const stream = client.chat.completions.stream({
      model: 'claude',
      messages: [{ role: 'user', content: 'What is 2 + 2, and the weather in San Francisco and London?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
      stream_options: { include_usage: true },
    });
    const completion = await stream.finalChatCompletion();

    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: '2 + 2 equals 4. Now let me check the weather for you.',
      tool_calls: [
        { id: 'weather-tool-1', type: 'function', function: { name: 'weather', arguments: '{"location":"San Francisco"}' } },
        { id: 'weather-tool-2', type: 'function', function: { name: 'weather', arguments: '{"location":"London"}' } },
      ],
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 500, completion_tokens: 100, total_tokens: 600 });
  });

  it('a mid-stream throttlingException reaches the SDK as a stream error after the text already sent', async () => {
    fixtureName = 'error-throttling-midstream.jsonl';
    const stream = client.chat.completions.stream({ model: 'claude', messages: [{ role: 'user', content: 'Count the r in strawberry.' }] });
    let text = '';
    stream.on('content', (delta) => {
      text += delta;
    });

    await expect(stream.finalChatCompletion()).rejects.toThrow(/Too many requests/);
    expect(text).toBe('Let me count the "');
  });
});
