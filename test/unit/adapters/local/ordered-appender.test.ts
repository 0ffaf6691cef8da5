import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderedAppender } from '../../../../functions/adapters/local/ordered-appender';

describe('OrderedAppender', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'appender-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps call order per file when many appends arrive at once, creating directories', async () => {
    const appender = new OrderedAppender();
    const a = join(dir, 'nested', 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    await Promise.all(Array.from({ length: 200 }, (_, i) => appender.append(i % 2 === 0 ? a : b, `${i}\n`)));
    await appender.close();

    const lines = async (path: string): Promise<number[]> => (await readFile(path, 'utf8')).trim().split('\n').map(Number);
    expect(await lines(a)).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
    expect(await lines(b)).toEqual(Array.from({ length: 100 }, (_, i) => i * 2 + 1));
  });

  it('rejects only the appends of a file that cannot be written, and keeps serving the others', async () => {
    const appender = new OrderedAppender();
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'a file where a directory is needed');
    await chmod(blocked, 0o400);
    const good = join(dir, 'good.ndjson');
    const results = await Promise.allSettled([appender.append(join(blocked, 'x.ndjson'), 'lost\n'), appender.append(good, 'kept\n')]);
    await appender.close();

    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    expect(await readFile(good, 'utf8')).toBe('kept\n');
  });
});
