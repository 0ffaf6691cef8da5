import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeUpstream, writeInPieces, type FakeUpstream } from '../../helpers/fake-upstream';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';
import { SHARED_DIR } from '../../helpers/openai-schemas';

/**
 * With `stream_options.include_usage` the usage chunk is always the last chunk before `[DONE]`,
 * estimated (and marked `usage_estimated` in the usage event) when the upstream reported none.
 */

interface ParsedStream {
  status: number;
  chunks: Array<{ choices: unknown[]; usage?: { prompt_tokens: number; completion_tokens: number } | null }>;
  done: boolean;
  errored: boolean;
}

function parseSse(status: number, text: string): ParsedStream {
  if (status !== 200) return { status, chunks: [], done: false, errored: (JSON.parse(text) as { error?: unknown }).error !== undefined };
  const data = text
    .split('\n\n')
    .map((frame) => frame.split('\n').find((line) => line.startsWith('data: '))?.slice(6))
    .filter((line): line is string => line !== undefined);
  const done = data.at(-1) === '[DONE]';
  const json = data.filter((line) => line !== '[DONE]').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { status, chunks: json.filter((c) => !('error' in c)) as ParsedStream['chunks'], done, errored: json.some((c) => 'error' in c) };
}

describe('the usage chunk a client asked for', () => {
  let upstream: FakeUpstream;
  let harness: GatewayHarness;
  let body: Buffer = Buffer.alloc(0);
  let pieceSize = Number.MAX_SAFE_INTEGER;

  beforeAll(async () => {
    upstream = await startFakeUpstream(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeInPieces(res, body, pieceSize);
    });
    harness = await startGatewayHarness({
      config: {
        providers: {
          gemini: { type: 'gemini', baseUrl: upstream.url, apiKeySecret: 'gemini' },
          compatible: { type: 'openai', baseUrl: `${upstream.url}/v1` },
        },
        models: { gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] }, compatible: { targets: [{ provider: 'compatible', model: 'llama' }] } },
        retry: { attempts: 1 },
      },
      env: { SWITCHYARD_SECRET_GEMINI: 'test-gemini-key' },
    });
  });
  afterAll(async () => {
    await harness.close();
    await upstream.close();
  });

  async function stream(model: string): Promise<ParsedStream> {
    const response = await fetch(`${harness.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Tell me something.' }] }),
    });
    return parseSse(response.status, await response.text());
  }

  it('is sent last, estimated, when an OpenAI-compatible server reports no usage', async () => {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'llama', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    body = Buffer.from(`${chunk({ role: 'assistant', content: '' })}${chunk({ content: 'Twelve characters' })}${chunk({}, 'stop')}data: [DONE]\n\n`);
    pieceSize = Number.MAX_SAFE_INTEGER;

    const parsed = await stream('compatible');

    expect(parsed.done).toBe(true);
    const last = parsed.chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ completion_tokens: Math.ceil('Twelve characters'.length / 4) });
    const events = await harness.usageEvents();
    expect(events.at(-1)).toMatchObject({ usage_estimated: true, output_tokens: last?.usage?.completion_tokens });
  });

  const fixtures = readdirSync(join(SHARED_DIR, 'fixtures', 'gemini')).filter((name) => name.endsWith('.sse')).sort();
  it.each(fixtures.flatMap((file) => [1, 7, Number.MAX_SAFE_INTEGER].map((size) => [file, size] as const)))(
    'ends the recorded Gemini stream %s (pieces of %d bytes) with a usage chunk when it completes',
    async (file, size) => {
      body = readFileSync(join(SHARED_DIR, 'fixtures', 'gemini', file));
      pieceSize = size;

      const parsed = await stream('gemini');

      if (!parsed.done) {
        // A stream the upstream cut or failed ends with an error (an error status before the first
        // chunk, an error event after it), never silently.
        expect(parsed.errored).toBe(true);
        return;
      }
      const last = parsed.chunks.at(-1);
      expect(last?.choices).toEqual([]);
      expect(last?.usage).toEqual(expect.objectContaining({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) }));
      expect(parsed.chunks.slice(0, -1).every((chunk) => !chunk.usage)).toBe(true);
    },
  );
});
