import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StoredObjectNotFoundError, assertStorageKey, type FileStorage } from './file-storage';

const TMP_DIR = '.tmp';

function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ENOENT';
}

/**
 * Objects on the local disk under `root`, sharded by the first two byte pairs of the key
 * (`ab/cd/abcd…`). A put writes a temporary file in `root/.tmp` (same file system), syncs it and
 * renames it into place, so a reader never sees half an object and a failed put leaves nothing.
 */
export class LocalFileStorage implements FileStorage {
  constructor(readonly root: string) {}

  /** Where an object lives. Keys are validated, so nothing can point outside `root`. */
  pathOf(key: string): string {
    assertStorageKey(key);
    return join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(key: string, stream: Readable): Promise<{ bytes: number }> {
    const target = this.pathOf(key);
    const tmpDir = join(this.root, TMP_DIR);
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const tmp = join(tmpDir, `${key}.${randomBytes(6).toString('hex')}.part`);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    try {
      await pipeline(stream, counter, out);
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await mkdir(join(this.root, key.slice(0, 2), key.slice(2, 4)), { recursive: true, mode: 0o700 });
      await rename(tmp, target);
      return { bytes };
    } catch (err) {
      // Make sure the source is not left half-read (and its producer not left waiting).
      if (!stream.destroyed) stream.destroy();
      // The part file is opened asynchronously, and a pipeline failed by its source can settle
      // before that open does: wait for the file stream to close, or the unlink below can run first
      // and leave the part file behind (seen in CI after a 413 and a 415).
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  get(key: string): Readable {
    const out = new PassThrough();
    let path: string;
    try {
      path = this.pathOf(key);
    } catch (err) {
      process.nextTick(() => out.destroy(err as Error));
      return out;
    }
    const source = createReadStream(path);
    source.on('error', (err) => out.destroy(isNotFound(err) ? new StoredObjectNotFoundError() : err));
    out.on('close', () => source.destroy());
    source.pipe(out);
    return out;
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
