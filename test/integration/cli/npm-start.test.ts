import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';

const ROOT = join(__dirname, '..', '..', '..');

/** Starts `switchyard serve` as users do, and resolves once it printed the dev key examples. */
function startServe(dataDir: string): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, ['bin/switchyard-cli.js', 'serve', '--config', 'switchyard.config.json', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      if (/Python/.test(output) || /Keys exist/.test(output)) {
        clearTimeout(timer);
        resolve({ child, output });
      }
    });
    child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

describe('npm start on a fresh data dir', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchyard-start-'));
  });
  afterAll(async () => {
    child?.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the URL line, a dev key and an example call that works against the mock provider', async () => {
    const started = await startServe(dataDir);
    child = started.child;
    const url = /Switchyard listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output)?.[1];
    const key = /Dev key \(shown once[^)]*\): (sk-sy-[A-Za-z0-9]+)/.exec(started.output)?.[1];
    expect(url).toBeDefined();
    expect(key).toBeDefined();

    // The printed curl example, replayed with fetch (same URL, headers and body).
    const curl = /curl -s (\S+) -H "Authorization: Bearer (\S+)" -H "Content-Type: application\/json" -d '(.+)'/.exec(started.output);
    expect(curl?.[2]).toBe(key);
    const response = await fetch(curl?.[1] as string, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: curl?.[3] });
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toContain('mock provider');

    // The printed Responses API example, replayed the same way.
    const responsesCurl = /curl -s (\S+\/v1\/responses) -H "Authorization: Bearer (\S+)" -H "Content-Type: application\/json" -d '(.+)'/.exec(started.output);
    expect(responsesCurl?.[2]).toBe(key);
    const responsesReply = await fetch(responsesCurl?.[1] as string, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: responsesCurl?.[3] });
    expect(responsesReply.status).toBe(200);
    expect(await responsesReply.json()).toMatchObject({ object: 'response', status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text: expect.stringContaining('mock provider') }] }] });

    // The printed Messages API example, replayed the same way.
    const messages = /curl -s (\S+) -H "x-api-key: (\S+)" -H "anthropic-version: ([^"]+)" -H "Content-Type: application\/json" -d '(.+)'/.exec(started.output);
    expect(messages?.[2]).toBe(key);
    const message = await fetch(messages?.[1] as string, { method: 'POST', headers: { 'x-api-key': key as string, 'anthropic-version': messages?.[3] as string, 'content-type': 'application/json' }, body: messages?.[4] });
    expect(message.status).toBe(200);
    expect(await message.json()).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: expect.stringContaining('mock provider') }] });
    expect(started.output).toContain(`ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=${key} claude`);

    // The printed SDK example.
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: key as string, maxRetries: 0 });
    const reply = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(reply.choices[0]?.finish_reason).toBe('stop');

    // Without provider keys, the 'smart' alias falls back through OpenAI and Anthropic to the mock.
    const smart = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(smart.response.headers.get('x-switchyard-provider')).toBe('demo');
    expect(smart.response.headers.get('x-switchyard-attempts')).toBe('3');
  });

  // /proc is Linux's; the relaunch with the flags needs process.execve (Node 22.15 and later).
  const linuxWithExecve = process.platform === 'linux' && typeof (process as { execve?: unknown }).execve === 'function';
  (linuxWithExecve ? it : it.skip)('serves from the process it started as, relaunched with its V8 flags', async () => {
    const commandLine = (await readFile(`/proc/${child?.pid}/cmdline`, 'utf8')).split('\0');

    expect(commandLine).toEqual(expect.arrayContaining(['--heap-growing-percent=50', '--max-semi-space-size=8']));
    expect(commandLine.slice(commandLine.indexOf('--max-semi-space-size=8') + 1)).toEqual(expect.arrayContaining(['serve', '--config', 'switchyard.config.json']));
  });
});
