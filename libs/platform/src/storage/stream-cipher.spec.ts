import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import {
  SEALED_HEADER_BYTES,
  SEALED_OVERHEAD_BYTES,
  SealedObjectError,
  newDataKey,
  openStream,
  openToBuffer,
  sealStream,
} from './stream-cipher';

const aad = Buffer.from('evidence-file\u000011111111-1111-4111-8111-111111111111');

/** Feeds `data` in chunks of the given sizes (cycling), to exercise every boundary. */
function chunked(data: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  for (let i = 0, s = 0; i < data.length; s++) {
    const n = sizes[s % sizes.length];
    parts.push(data.subarray(i, i + n));
    i += n;
  }
  return Readable.from(parts);
}

async function seal(data: Buffer, key: Buffer, sizes = [4096]): Promise<Buffer> {
  return buffer(chunked(data, sizes).pipe(sealStream(key, aad)));
}

describe('sealed object streams (AES-256-GCM, tag at the end)', () => {
  it.each([0, 1, 15, 16, 17, 1000, 300_000])('round-trips %d bytes through odd chunk sizes', async (n) => {
    const key = newDataKey();
    const data = randomBytes(n);
    const sealed = await seal(data, key, [1, 7, 16, 4093]);
    expect(sealed.length).toBe(n + SEALED_OVERHEAD_BYTES);
    expect(sealed.subarray(0, 4).toString('ascii')).toBe('JSE1');
    const opened = await buffer(chunked(sealed, [3, 16, 17, 5000]).pipe(openStream(key, aad)));
    expect(opened.equals(data)).toBe(true);
    expect((await openToBuffer(Readable.from([sealed]), key, aad)).equals(data)).toBe(true);
  });

  it('never stores the plaintext and uses a fresh IV each time', async () => {
    const key = newDataKey();
    const data = Buffer.from('%PDF-1.4 홍길동 010-1234-5678 SECRET-MARKER '.repeat(50));
    const a = await seal(data, key);
    const b = await seal(data, key);
    expect(a.includes(Buffer.from('SECRET-MARKER'))).toBe(false);
    expect(a.includes(Buffer.from('%PDF-'))).toBe(false);
    expect(a.subarray(4, SEALED_HEADER_BYTES).equals(b.subarray(4, SEALED_HEADER_BYTES))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it.each([
    ['the magic', 0],
    ['the IV', 6],
    ['the ciphertext', SEALED_HEADER_BYTES + 500],
    ['the tag', -1],
  ])('detects a flipped bit in %s', async (_what, at) => {
    const key = newDataKey();
    const sealed = await seal(randomBytes(2000), key);
    const i = at < 0 ? sealed.length + at : at;
    sealed[i] ^= 0x01;
    await expect(openToBuffer(Readable.from([sealed]), key, aad)).rejects.toBeInstanceOf(SealedObjectError);
  });

  it('detects truncation and extension', async () => {
    const key = newDataKey();
    const sealed = await seal(randomBytes(2000), key);
    for (const bad of [
      sealed.subarray(0, sealed.length - 1),
      sealed.subarray(0, SEALED_HEADER_BYTES + 10),
      sealed.subarray(0, 5),
      Buffer.alloc(0),
      Buffer.concat([sealed, Buffer.from([0])]),
    ]) {
      await expect(openToBuffer(Readable.from([bad]), key, aad)).rejects.toBeInstanceOf(SealedObjectError);
    }
  });

  it('refuses the wrong key and the wrong AAD (an object moved to another evidence row)', async () => {
    const key = newDataKey();
    const sealed = await seal(randomBytes(500), key);
    await expect(openToBuffer(Readable.from([sealed]), newDataKey(), aad)).rejects.toBeInstanceOf(SealedObjectError);
    const otherRow = Buffer.from('evidence-file\u000022222222-2222-4222-8222-222222222222');
    await expect(openToBuffer(Readable.from([sealed]), key, otherRow)).rejects.toBeInstanceOf(SealedObjectError);
  });

  it('streams plaintext out and fails the stream at the end when the tag does not verify', async () => {
    const key = newDataKey();
    const data = randomBytes(200_000);
    const sealed = await seal(data, key);
    sealed[sealed.length - 1] ^= 0x80;
    const seen = createHash('sha256');
    let bytes = 0;
    const failure = pipeline(
      chunked(sealed, [16_384]),
      openStream(key, aad),
      async function (src: AsyncIterable<Buffer>) {
        for await (const chunk of src) {
          bytes += chunk.length;
          seen.update(chunk);
        }
      },
    );
    await expect(failure).rejects.toBeInstanceOf(SealedObjectError);
    // Plaintext did flow before the end (streaming), which is why downloads verify before sending.
    expect(bytes).toBeGreaterThan(0);
  });

  it('refuses keys of the wrong size', () => {
    expect(() => sealStream(randomBytes(16), aad)).toThrow();
    expect(() => openStream(randomBytes(16), aad)).toThrow();
  });
});
