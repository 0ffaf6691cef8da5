import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../functions/cli/main';

/** Mistakes a user makes on the command line get a clear message and exit code 2 (or 1), never a surprise. */
describe('CLI mistakes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-mistakes-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli([...argv, '--data-dir', join(dir, 'data')], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, cwd: dir });
    return { code, stdout, stderr };
  }

  it('refuses a negative budget with the budget’s own message', async () => {
    await expect(cli('budget', 'set', '--team', 'search', '--usd', '-5')).resolves.toMatchObject({ code: 2, stderr: "Budget must be a non-negative USD amount, got '-5'.\n" });
    await expect(cli('keys', 'create', '--name', 'x', '--budget', '-1')).resolves.toMatchObject({ code: 2, stderr: "Budget must be a non-negative USD amount, got '-1'.\n" });
  });

  it('refuses an expiry in the past', async () => {
    const result = await cli('keys', 'create', '--name', 'x', '--expires', '2020-01-01');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^--expires must be in the future, got '2020-01-01'/);
  });

  it('refuses to rotate a revoked key', async () => {
    const { keyId } = JSON.parse((await cli('keys', 'create', '--name', 'x', '--json')).stdout) as { keyId: string };
    await cli('keys', 'revoke', keyId);

    const result = await cli('keys', 'rotate', keyId);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`Key ${keyId} is revoked and cannot be rotated; create a new key instead.\n`);
  });

  it('warns when --models names aliases the config does not define, and still creates the key', async () => {
    await writeFile(join(dir, 'switchyard.config.json'), JSON.stringify({ providers: { m: { type: 'mock' } }, models: { demo: { targets: [{ provider: 'm', model: 'x' }] } } }));

    const result = await cli('keys', 'create', '--name', 'x', '--models', 'demo,smrat', '--json');

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('warning: --models names aliases that switchyard.config.json does not define: smrat (requests for them get 404 until they are configured).\n');
    expect(JSON.parse(result.stdout)).toMatchObject({ models: ['demo', 'smrat'] });
  });

  it('names the line and column of a JSON syntax error in the config, without a doubled prefix', async () => {
    await writeFile(join(dir, 'bad.json'), '{\n  "providers": { "a": { "type": "mock" }, },\n  "models": {}\n}\n');

    const result = await cli('serve', '--config', join(dir, 'bad.json'), '--port', '0');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^switchyard config: \(file\): not valid JSON at line 2, column 43: /);
  });
});
