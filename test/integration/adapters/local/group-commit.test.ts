import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { GroupCommitter, openLocalDatabase } from '../../../../functions/adapters/local/sqlite/database';

describe('GroupCommitter (the embedded store’s group commit)', () => {
  let dir: string;
  let db: DatabaseSync;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-group-commit-'));
    db = openLocalDatabase(dir);
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY, text TEXT NOT NULL)');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (id: string, text: string) => () => db.prepare('INSERT INTO notes (id, text) VALUES (?, ?)').run(id, text).changes;
  const notes = (): unknown[] => db.prepare('SELECT id, text FROM notes ORDER BY id').all().map((row) => ({ ...row }));

  it('commits the work of one turn in one transaction, and settles each promise with its own result after the commit', async () => {
    const committer = GroupCommitter.of(db);
    // A second connection sees only what is committed.
    const reader = openLocalDatabase(dir);
    const committedNotes = (): number => (reader.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;

    const pending = [committer.submit(insert('a', 'first')), committer.submit(insert('b', 'second')), committer.submit(committedNotes)];
    expect(notes()).toEqual([]); // nothing runs before the turn ends

    // The third piece ran after the first two had written, and saw nothing of theirs committed.
    await expect(Promise.all(pending)).resolves.toEqual([1, 1, 0]);
    expect(committedNotes()).toBe(2);
    expect(notes()).toEqual([
      { id: 'a', text: 'first' },
      { id: 'b', text: 'second' },
    ]);
    expect(GroupCommitter.of(db)).toBe(committer);
    reader.close();
  });

  it('undoes and rejects only the piece that throws, half-way through its writes; the others commit', async () => {
    const committer = GroupCommitter.of(db);
    const halfDone = (): never => {
      insert('c', 'written before the failure')();
      throw new Error('failed half-way');
    };

    const results = await Promise.allSettled([committer.submit(insert('a', 'kept')), committer.submit(halfDone), committer.submit(insert('a', 'duplicate key')), committer.submit(insert('b', 'kept too'))]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('failed half-way'));
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(notes()).toEqual([
      { id: 'a', text: 'kept' },
      { id: 'b', text: 'kept too' },
    ]);
    expect(db.isTransaction).toBe(false);
  });
});
