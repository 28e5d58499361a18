import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { InvalidStorageKeyError, StoredObjectNotFoundError, isStorageKey, newStorageKey } from './file-storage';
import { LocalFileStorage } from './local-file-storage';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out;
}

describe('LocalFileStorage', () => {
  let root: string;
  let storage: LocalFileStorage;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'jsi-storage-'));
    storage = new LocalFileStorage(join(root, 'files'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('mints random 128-bit hex keys', () => {
    const a = newStorageKey();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(newStorageKey()).not.toBe(a);
    expect(isStorageKey(a)).toBe(true);
  });

  it('stores, reads back, reports and deletes an object in sharded directories', async () => {
    const key = newStorageKey();
    const data = randomBytes(300_000);
    await expect(storage.put(key, Readable.from([data.subarray(0, 1000), data.subarray(1000)]))).resolves.toEqual({
      bytes: data.length,
    });
    expect(storage.pathOf(key)).toBe(join(root, 'files', key.slice(0, 2), key.slice(2, 4), key));
    expect(filesUnder(join(root, 'files'))).toEqual([join(key.slice(0, 2), key.slice(2, 4), key)]);
    expect(statSync(storage.pathOf(key)).mode & 0o777).toBe(0o600);
    expect(await storage.exists(key)).toBe(true);
    expect((await buffer(storage.get(key))).equals(data)).toBe(true);
    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    await expect(storage.delete(key)).resolves.toBeUndefined();
  });

  it('fails a read of a missing object with a typed error', async () => {
    await expect(buffer(storage.get(newStorageKey()))).rejects.toBeInstanceOf(StoredObjectNotFoundError);
  });

  it('leaves nothing behind when the source stream fails', async () => {
    const key = newStorageKey();
    const failing = new Readable({
      read() {
        this.push(randomBytes(1024));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put(key, failing)).rejects.toThrow('client went away');
    expect(await storage.exists(key)).toBe(false);
    expect(filesUnder(join(root, 'files'))).toEqual([]);
  });

  it('replaces an object atomically on a second put', async () => {
    const key = newStorageKey();
    await storage.put(key, Readable.from([Buffer.from('first')]));
    await storage.put(key, Readable.from([Buffer.from('second')]));
    expect((await buffer(storage.get(key))).toString()).toBe('second');
    expect(filesUnder(join(root, 'files'))).toHaveLength(1);
  });

  it.each(['../../etc/passwd', 'x.png', '', 'ABCDEF0123456789ABCDEF0123456789', `${'a'.repeat(31)}/`])(
    'refuses a key that is not one of its own: %p',
    async (key) => {
      expect(() => storage.pathOf(key)).toThrow(InvalidStorageKeyError);
      await expect(storage.put(key, Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(buffer(storage.get(key))).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.exists(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
    },
  );
});
