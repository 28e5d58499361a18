import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Encrypted object format (version 1):
 *
 *   "JSE1" (4 bytes) | IV (12 random bytes) | AES-256-GCM ciphertext | tag (16 bytes)
 *
 * The key is a per-object random 256-bit data key; the caller keeps it wrapped elsewhere. The AAD
 * (never stored in the object) binds the ciphertext to what it belongs to, e.g. the evidence id, so
 * an object copied over another one does not decrypt.
 */
export const SEALED_MAGIC = Buffer.from('JSE1', 'ascii');
export const SEALED_IV_BYTES = 12;
export const SEALED_TAG_BYTES = 16;
export const SEALED_HEADER_BYTES = SEALED_MAGIC.length + SEALED_IV_BYTES;
/** Bytes an object gains by sealing: header plus tag. */
export const SEALED_OVERHEAD_BYTES = SEALED_HEADER_BYTES + SEALED_TAG_BYTES;
export const DATA_KEY_BYTES = 32;

/** The stored object is not what was sealed with this key and AAD (tampered, truncated, swapped). */
export class SealedObjectError extends Error {
  constructor(message = 'sealed object does not authenticate') {
    super(message);
    this.name = 'SealedObjectError';
  }
}

export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

function assertKey(key: Buffer): void {
  if (key.length !== DATA_KEY_BYTES) throw new Error('data keys must be 32 bytes');
}

/** A transform from plaintext to the sealed object format. */
export function sealStream(key: Buffer, aad: Buffer): Transform {
  assertKey(key);
  const iv = randomBytes(SEALED_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: SEALED_TAG_BYTES });
  cipher.setAAD(aad);
  let headerSent = false;
  const header = (t: Transform): void => {
    if (!headerSent) {
      t.push(Buffer.concat([SEALED_MAGIC, iv]));
      headerSent = true;
    }
  };
  return new Transform({
    transform(this: Transform, chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      header(this);
      done(null, cipher.update(chunk));
    },
    flush(this: Transform, done: TransformCallback) {
      header(this);
      const last = cipher.final();
      if (last.length > 0) this.push(last);
      done(null, cipher.getAuthTag());
    },
  });
}

/**
 * A transform from the sealed object format back to plaintext. Plaintext flows out as it is
 * decrypted; the tag is checked at the end, and a mismatch fails the stream with a
 * {@link SealedObjectError} (so consumers must not act on the bytes before the stream ends
 * cleanly; see {@link openToBuffer}).
 */
export function openStream(key: Buffer, aad: Buffer): Transform {
  assertKey(key);
  let header = Buffer.alloc(0);
  let decipher: DecipherGCM | undefined;
  // The last 16 bytes seen so far: they may be the tag, so they are held back.
  let tail = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      let data = chunk;
      if (!decipher) {
        header = Buffer.concat([header, data]);
        if (header.length < SEALED_HEADER_BYTES) return done();
        if (!header.subarray(0, SEALED_MAGIC.length).equals(SEALED_MAGIC)) {
          return done(new SealedObjectError('not a sealed object'));
        }
        decipher = createDecipheriv('aes-256-gcm', key, header.subarray(SEALED_MAGIC.length, SEALED_HEADER_BYTES), {
          authTagLength: SEALED_TAG_BYTES,
        });
        decipher.setAAD(aad);
        data = header.subarray(SEALED_HEADER_BYTES);
        header = Buffer.alloc(0);
      }
      const all = tail.length > 0 ? Buffer.concat([tail, data]) : data;
      if (all.length <= SEALED_TAG_BYTES) {
        tail = Buffer.from(all);
        return done();
      }
      tail = Buffer.from(all.subarray(all.length - SEALED_TAG_BYTES));
      done(null, decipher.update(all.subarray(0, all.length - SEALED_TAG_BYTES)));
    },
    flush(done: TransformCallback) {
      if (!decipher || tail.length < SEALED_TAG_BYTES) {
        return done(new SealedObjectError('sealed object is truncated'));
      }
      try {
        decipher.setAuthTag(tail);
        const last = decipher.final();
        done(null, last.length > 0 ? last : undefined);
      } catch {
        done(new SealedObjectError());
      }
    },
  });
}

/**
 * Decrypts a whole sealed object into memory and returns it only once the tag has verified: the
 * safe way to serve small files (nothing unauthenticated is ever sent).
 */
export async function openToBuffer(source: Readable, key: Buffer, aad: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(source, openStream(key, aad), async function (plain: AsyncIterable<Buffer>) {
    for await (const chunk of plain) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}
