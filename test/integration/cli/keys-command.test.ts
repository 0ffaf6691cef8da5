import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';

import { silentLogger } from '../../../functions/core/ports/logger';
import { KEY_CACHE_TTL_MS } from '../../../functions/core/pipeline/key-cache';
import { TestClock } from '../../helpers/test-clock';
import { createLocalGateway } from '../../../functions/adapters/local/local-gateway';
import { startLocalServer, type LocalServer } from '../../../functions/adapters/local/node-http-server';
import { runCli } from '../../../functions/cli/main';
import { parseConfig } from '../../../functions/providers/config';
import { readDatabaseFiles } from '../../helpers/database-files';

let dir: string;
let server: LocalServer;
const clock = new TestClock();

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--data-dir', join(dir, 'data')], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, cwd: dir });
  return { code, stdout, stderr };
}

const ask = (key: string): Promise<unknown> =>
  new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-keys-'));
  const local = createLocalGateway({
    config: parseConfig({ providers: { demo: { type: 'mock' } }, models: { demo: { targets: [{ provider: 'demo', model: 'm' }] } } }),
    dataDir: join(dir, 'data'),
    env: {},
    logger: silentLogger,
    clock,
  });
  server = await startLocalServer(local.gateway, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close(0);
  await rm(dir, { recursive: true, force: true });
});

describe('switchyard keys on the local store', () => {
  it('creates a key shown once (--json has keyId and key), stores only its hash, and the key works', async () => {
    const created = await cli('keys', 'create', '--name', 'search-svc', '--team', 'search', '--json');
    expect(created.code).toBe(0);
    const json = JSON.parse(created.stdout);
    expect(json.keyId).toMatch(/^key_[A-Za-z0-9]{16}$/);
    expect(json.key).toMatch(/^sk-sy-[A-Za-z0-9]{40}$/);
    expect(json).toMatchObject({ name: 'search-svc', team: 'search' });
    expect(json.keyHash).toBeUndefined();
    const stored = await readDatabaseFiles(join(dir, 'data'));
    expect(stored).not.toContain(json.key);
    await expect(ask(json.key)).resolves.toBeDefined();
  });

  it('lists keys without secrets, as a table and as JSON', async () => {
    const table = await cli('keys', 'list');
    expect(table.stdout).toMatch(/KEY ID\s+NAME\s+TEAM/);
    expect(table.stdout).toContain('search-svc');
    const list = JSON.parse((await cli('keys', 'list', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(list.some((key) => key.name === 'search-svc')).toBe(true);
    expect(list.every((key) => key.keyHash === undefined && key.key === undefined)).toBe(true);
  });

  it('revokes a key: the gateway then answers 401 key_revoked', async () => {
    const { keyId, key } = JSON.parse((await cli('keys', 'create', '--name', 'doomed', '--json')).stdout);
    await ask(key);
    const revoked = await cli('keys', 'revoke', keyId, '--json');
    expect(JSON.parse(revoked.stdout)).toMatchObject({ keyId, revoked: true });
    // The server caches key lookups briefly (the documented revocation delay), then refuses the key.
    await expect(ask(key)).resolves.toBeDefined();
    clock.advance(KEY_CACHE_TTL_MS);
    await expect(ask(key)).rejects.toMatchObject({ status: 401, code: 'key_revoked' });
  });

  it('rotates a key: same keyId, new plaintext works, the old one is refused', async () => {
    const { keyId, key: oldKey } = JSON.parse((await cli('keys', 'create', '--name', 'rotating', '--json')).stdout);
    const rotated = JSON.parse((await cli('keys', 'rotate', keyId, '--json')).stdout);
    expect(rotated.keyId).toBe(keyId);
    expect(rotated.key).not.toBe(oldKey);
    await expect(ask(rotated.key)).resolves.toBeDefined();
    clock.advance(KEY_CACHE_TTL_MS);
    await expect(ask(oldKey)).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('rotates with --grace: both keys work until the grace period ends, then only the new one; a revocation stops both', async () => {
    const { keyId, key: oldKey } = JSON.parse((await cli('keys', 'create', '--name', 'rolling', '--json')).stdout);
    const rotated = JSON.parse((await cli('keys', 'rotate', keyId, '--grace', '1h', '--json')).stdout);
    expect(Date.parse(rotated.oldKeyValidUntil) - Date.now()).toBeGreaterThan(59 * 60_000);
    clock.advance(KEY_CACHE_TTL_MS);

    await expect(ask(oldKey)).resolves.toBeDefined();
    await expect(ask(rotated.key)).resolves.toBeDefined();

    clock.advance(60 * 60_000 + KEY_CACHE_TTL_MS);
    await expect(ask(oldKey)).rejects.toMatchObject({ status: 401, code: 'key_expired' });
    await expect(ask(rotated.key)).resolves.toBeDefined();

    const again = JSON.parse((await cli('keys', 'rotate', keyId, '--grace', '24h', '--json')).stdout);
    expect((await cli('keys', 'revoke', keyId)).code).toBe(0);
    clock.advance(KEY_CACHE_TTL_MS);
    await expect(ask(rotated.key)).rejects.toMatchObject({ status: 401, code: 'key_revoked' });
    await expect(ask(again.key)).rejects.toMatchObject({ status: 401, code: 'key_revoked' });
    expect((await cli('keys', 'rotate', keyId, '--grace', '24h')).code).toBe(2);
    expect((await cli('keys', 'rotate', keyId, '--grace', 'tomorrow')).code).toBe(2);
  });

  it('answers usage errors with exit code 2', async () => {
    expect((await cli('keys', 'create')).code).toBe(2);
    expect((await cli('keys', 'frobnicate')).code).toBe(2);
    expect((await cli('keys', 'revoke', 'key_doesnotexist')).code).toBe(1);
  });
});
