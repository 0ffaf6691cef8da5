import { chatVia } from '../../../helpers/chat-protocol';
import type { BedrockTarget } from '../../../../functions/providers/bedrock';
import { createBedrockClient, createBedrockProvider } from '../../../../functions/providers/bedrock';
import type { FakeUpstream } from '../../../helpers/fake-upstream';
import { chatCall, fixture, testContext } from '../../../helpers/providers/bedrock/bedrock-test-kit';
import { startFakeBedrock, type FakeBedrockCall } from '../../../helpers/providers/bedrock/fake-bedrock';

describe('Bedrock provider over the wire', () => {
  let fake: FakeUpstream;
  const calls: FakeBedrockCall[] = [];
  beforeAll(async () => {
    fake = await startFakeBedrock((call) => {
      calls.push(call);
      return call.operation === 'converse' ? { kind: 'json', body: JSON.parse(fixture('nonstream/text.json')) } : { kind: 'stream', jsonl: fixture('text.jsonl') };
    });
  });
  afterAll(() => fake.close());

  it('builds one SDK client per (region, endpoint) and reuses it', async () => {
    const targets: BedrockTarget[] = [];
    const provider = createBedrockProvider({
      createClient: (target) => {
        targets.push(target);
        return createBedrockClient(target, { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      },
    });

    await chatVia(provider, chatCall({}), testContext(fake.url));
    await chatVia(provider, chatCall({}, { stream: true }), testContext(fake.url));
    await chatVia(provider, chatCall({}), testContext(fake.url, { region: 'eu-west-1' }));

    expect(targets).toEqual([
      { region: 'us-east-1', endpoint: fake.url, headers: undefined },
      { region: 'eu-west-1', endpoint: fake.url, headers: undefined },
    ]);
  });

  it('adds the static headers of the provider settings to every request', async () => {
    calls.length = 0;
    const provider = createBedrockProvider({ createClient: (target) => createBedrockClient(target, { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }) });

    await chatVia(provider, chatCall({}), testContext(fake.url, { headers: { 'x-proxy-tenant': 'team-a' } }));

    expect(calls[0]?.request.headers['x-proxy-tenant']).toBe('team-a');
    expect(calls[0]?.request.headers.authorization).toContain('x-proxy-tenant');
  });

  it('sends a SigV4-signed Converse request with the translated body to /model/{id}/converse-stream', async () => {
    calls.length = 0;
    const provider = createBedrockProvider({ createClient: (target) => createBedrockClient(target, { credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } }) });
    const request = chatCall(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } }] },
        ],
        temperature: 0.5,
      },
      { stream: true, maxOutputTokens: 100, model: 'us.anthropic.claude-sonnet-4-20250514-v1:0' },
    );

    const result = await chatVia(provider, request, testContext(fake.url));
    if (result.kind === 'stream') for await (const _chunk of result.chunks);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.operation).toBe('converse-stream');
    expect(calls[0]?.modelId).toBe('us.anthropic.claude-sonnet-4-20250514-v1:0');
    expect(calls[0]?.request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    expect(calls[0]?.request.json).toEqual({
      system: [{ text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ text: 'What is this?' }, { image: { format: 'png', source: { bytes: 'AQID' } } }] }],
      inferenceConfig: { maxTokens: 100, temperature: 0.5 },
    });
  });
});

describe('the Bedrock SDK at module load', () => {
  it('is not evaluated by loading the providers: only the first call to a Bedrock target loads it', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { join } = await import('node:path');
    const root = join(__dirname, '..', '..', '..', '..');
    const script = `
      const loaded = () => Object.keys(require.cache).some((path) => path.includes('client-bedrock-runtime'));
      const { defaultProviders } = require('./functions/providers/registry');
      const before = loaded();
      require('./functions/providers/bedrock/sdk').loadBedrockSdk().then(() => console.log(JSON.stringify({ before, after: loaded(), providers: Object.keys(defaultProviders).length })));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true, providers: 5 });
  });
});
