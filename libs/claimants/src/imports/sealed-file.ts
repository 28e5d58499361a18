import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Files at rest, sealed in segments (the STREAM construction): for files a job acts on while it
 * reads them. An import inserts rows as it goes, so no byte may be used before it is authenticated,
 * and @app/platform's one-tag object format (`sealStream`) only authenticates at the very end.
 * The plaintext is cut into 64 KiB segments, each AES-256-GCM under a per-file random data key,
 * with IV = 7-byte random file nonce | 4-byte segment counter | final flag, and AAD = the file's
 * context (e.g. `import-file:<id>`). A reader authenticates every segment before passing a byte
 * on, and detects reordering, truncation and extension. Neither side holds more than about two
 * segments.
 *
 * Layout: `JSIS` 0x01 nonce(7) then per segment: flags(1) length(4, big-endian) ciphertext tag(16).
 */
const MAGIC = Buffer.from('JSIS\u0001', 'latin1');
const NONCE_BYTES = 7;
const HEADER_BYTES = MAGIC.length + NONCE_BYTES;
const SEGMENT_BYTES = 64 * 1024;
const SEGMENT_HEAD = 5;
const TAG_BYTES = 16;
const FINAL = 1;

const DATA_KEY_BYTES = 32;

export class SealedFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedFileError';
  }
}

function ivOf(nonce: Buffer, counter: number, final: boolean): Buffer {
  const iv = Buffer.alloc(12);
  nonce.copy(iv, 0);
  iv.writeUInt32BE(counter, NONCE_BYTES);
  iv[11] = final ? FINAL : 0;
  return iv;
}

/** A copy of the key material, so the caller may wipe its buffer at once. */
function keyObject(key: Buffer): KeyObject {
  if (key.length !== DATA_KEY_BYTES) throw new SealedFileError('data keys are 32 bytes');
  return createSecretKey(key);
}

/** Plaintext in, sealed file out. */
export function sealSegmented(dataKey: Buffer, context: string): Transform {
  const key = keyObject(dataKey);
  const aad = Buffer.from(context, 'utf8');
  const nonce = randomBytes(NONCE_BYTES);
  let counter = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let headerSent = false;

  const segment = (plain: Buffer, final: boolean): Buffer => {
    if (counter > 0xffffffff) throw new SealedFileError('file too large to seal');
    const cipher = createCipheriv('aes-256-gcm', key, ivOf(nonce, counter++, final), { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const head = Buffer.alloc(SEGMENT_HEAD);
    head[0] = final ? FINAL : 0;
    head.writeUInt32BE(body.length, 1);
    const parts = [head, body, cipher.getAuthTag()];
    if (!headerSent) {
      headerSent = true;
      parts.unshift(MAGIC, nonce);
    }
    return Buffer.concat(parts);
  };

  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes <= SEGMENT_BYTES) return done();
      // Keep at least one byte back: the last segment must carry the final flag.
      let all = Buffer.concat(pending, pendingBytes);
      while (all.length > SEGMENT_BYTES) {
        this.push(segment(all.subarray(0, SEGMENT_BYTES), false));
        all = all.subarray(SEGMENT_BYTES);
      }
      pending = [all];
      pendingBytes = all.length;
      done();
    },
    flush(done: TransformCallback) {
      this.push(segment(Buffer.concat(pending, pendingBytes), true));
      pending = [];
      pendingBytes = 0;
      done();
    },
  });
}

/** Sealed file in, authenticated plaintext out (a segment at a time). */
export function openSegmented(dataKey: Buffer, context: string): Transform {
  const key = keyObject(dataKey);
  const aad = Buffer.from(context, 'utf8');
  let nonce: Buffer | undefined;
  let counter = 0;
  let finished = false;
  let buf: Buffer = Buffer.alloc(0);

  const take = (): Buffer | undefined => {
    if (!nonce) {
      if (buf.length < HEADER_BYTES) return undefined;
      if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new SealedFileError('not a sealed file');
      nonce = Buffer.from(buf.subarray(MAGIC.length, HEADER_BYTES));
      buf = buf.subarray(HEADER_BYTES);
    }
    if (buf.length < SEGMENT_HEAD) return undefined;
    const final = buf[0] === FINAL;
    const length = buf.readUInt32BE(1);
    if (length > SEGMENT_BYTES || (buf[0] !== 0 && !final)) throw new SealedFileError('corrupt sealed file');
    const end = SEGMENT_HEAD + length + TAG_BYTES;
    if (buf.length < end) return undefined;
    if (finished) throw new SealedFileError('data after the final segment');
    const decipher = createDecipheriv('aes-256-gcm', key, ivOf(nonce, counter++, final), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(buf.subarray(SEGMENT_HEAD + length, end));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(buf.subarray(SEGMENT_HEAD, SEGMENT_HEAD + length)), decipher.final()]);
    } catch {
      throw new SealedFileError('sealed file does not authenticate');
    }
    buf = buf.subarray(end);
    finished = final;
    return plain;
  };

  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      try {
        if (finished && chunk.length > 0) throw new SealedFileError('data after the final segment');
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        for (let plain = take(); plain; plain = take()) this.push(plain);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done: TransformCallback) {
      if (!finished || buf.length > 0) return done(new SealedFileError('sealed file is truncated'));
      done();
    },
  });
}
