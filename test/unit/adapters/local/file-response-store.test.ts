import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileResponseStore } from '../../../../functions/adapters/local/file-response-store';
import type { StoredResponse } from '../../../../functions/core/ports/response-store';

const record = (keyId: string, responseId: string): StoredResponse => ({ keyId, responseId, response: { id: responseId, object: 'response' }, input: [{ role: 'user', content: 'Hi' }], createdAt: 1 });

describe('FileResponseStore', () => {
  it('keeps a response per key across a restart, finds nothing under another key, and deletes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-responses-'));
    await new FileResponseStore(dir).put(record('key_a', 'resp_1'));

    const reopened = new FileResponseStore(dir);
    expect(await reopened.get('key_a', 'resp_1')).toEqual(record('key_a', 'resp_1'));
    expect(await reopened.get('key_b', 'resp_1')).toBeUndefined();
    expect(await reopened.delete('key_b', 'resp_1')).toBe(false);
    expect(await reopened.delete('key_a', 'resp_1')).toBe(true);
    expect(await reopened.get('key_a', 'resp_1')).toBeUndefined();
  });

  it('takes concurrent writes of one id, the last one winning', async () => {
    const store = new FileResponseStore(await mkdtemp(join(tmpdir(), 'switchyard-responses-')));
    await Promise.all(Array.from({ length: 20 }, () => store.put(record('key_a', 'resp_same'))));
    expect(await store.get('key_a', 'resp_same')).toEqual(record('key_a', 'resp_same'));
  });

  it('never turns an id into a path outside its folder', async () => {
    const store = new FileResponseStore(await mkdtemp(join(tmpdir(), 'switchyard-responses-')));
    expect(await store.get('key_a', '../../keys')).toBeUndefined();
    await expect(store.put(record('key_a', '../escape'))).rejects.toThrow(/unsafe/);
  });
});
