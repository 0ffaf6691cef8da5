import { sha256HexSync } from '../../../functions/adapters/node-sha256';
import { createKeyRecord } from '../../../functions/core/keys/new-key';
import { sha256Hex } from '../../../functions/core/pipeline/authenticate';

describe('sha256HexSync (the key hash of the Node entry points)', () => {
  it('gives the SHA-256 test vectors of FIPS 180-2', () => {
    expect(sha256HexSync('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexSync('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each(['sk-sy-0123456789abcdef', 'clé-ünïcødé-🔑', ' padded key '])('hashes %p exactly as the core’s Web Crypto default', async (text) => {
    expect(sha256HexSync(text)).toBe(await sha256Hex(text));
  });

  it('finds the record of a key created by the CLI, whose hash the core computed', async () => {
    const { key, record } = await createKeyRecord({ name: 'ci' }, new Date('2026-12-02T00:00:00Z'));
    expect(sha256HexSync(key)).toBe(record.keyHash);
  });
});
