import { applyServeV8Flags, missingServeV8Flags, SERVE_V8_FLAGS, type ServeProcess } from '../../../functions/cli/serve-v8-flags';

/** A process as `node --enable-source-maps bin/switchyard-cli.js serve --port 0` starts it. */
function serveProcess(overrides: Partial<ServeProcess> = {}): ServeProcess & { relaunched: string[][] } {
  const relaunched: string[][] = [];
  return {
    execPath: '/usr/bin/node',
    execArgv: ['--enable-source-maps'],
    argv: ['/usr/bin/node', '/app/bin/switchyard-cli.js', 'serve', '--port', '0'],
    env: { NODE_OPTIONS: '--max-old-space-size=512' },
    platform: 'linux',
    execve: ((file: string, args: string[]) => {
      relaunched.push([file, ...args]);
      return undefined as never;
    }) as ServeProcess['execve'],
    relaunched,
    ...overrides,
  };
}

describe('the V8 flags of switchyard serve', () => {
  it('are missing until given on the command line or in NODE_OPTIONS, whatever the spelling', () => {
    expect(missingServeV8Flags([], undefined)).toEqual(SERVE_V8_FLAGS);
    expect(missingServeV8Flags(['--heap-growing-percent=100'], undefined)).toEqual(['--max-semi-space-size=8']);
    expect(missingServeV8Flags([], '--inspect --max_semi_space_size=32')).toEqual(['--heap-growing-percent=50']);
    expect(missingServeV8Flags(['--max-semi-space-size=4'], '--heap-growing-percent=20')).toEqual([]);
  });

  it('relaunch the process with the missing flags before its own, keeping script and arguments', () => {
    const proc = serveProcess();

    applyServeV8Flags(proc, () => undefined);

    expect(proc.relaunched).toEqual([['/usr/bin/node', '/usr/bin/node', '--heap-growing-percent=50', '--max-semi-space-size=8', '--enable-source-maps', '/app/bin/switchyard-cli.js', 'serve', '--port', '0']]);
  });

  it('leave a process that has them all alone', () => {
    const proc = serveProcess({ execArgv: ['--heap-growing-percent=50', '--max-semi-space-size=8'] });
    const set: string[] = [];

    applyServeV8Flags(proc, (flags) => set.push(flags));

    expect(proc.relaunched).toEqual([]);
    expect(set).toEqual([]);
  });

  it('set heap growth at run time where the process cannot be replaced (Windows, older Node, a refusal)', () => {
    const refusing = (): never => {
      throw Object.assign(new Error('execve failed'), { code: 'EACCES' });
    };
    for (const proc of [serveProcess({ platform: 'win32' }), serveProcess({ execve: undefined }), serveProcess({ execve: refusing })]) {
      const set: string[] = [];

      applyServeV8Flags(proc, (flags) => set.push(flags));

      expect(proc.relaunched).toEqual([]);
      expect(set).toEqual(['--heap-growing-percent=50']);
    }
  });
});
