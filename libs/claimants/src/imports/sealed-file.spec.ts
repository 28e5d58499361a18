import { randomBytes } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openSegmented, sealSegmented } from './sealed-file';

async function through(input: Buffer[], stage: Transform): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(input), stage, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}

describe('segmented sealed files', () => {
  const key = randomBytes(32);
  const context = 'import-file\u0000test';

  it.each([0, 1, 65_535, 65_536, 65_537, 300_000])('round-trips %i bytes in odd chunks', async (size) => {
    const plain = randomBytes(size);
    const chunks: Buffer[] = [];
    for (let i = 0; i < size; i += 7_777) chunks.push(plain.subarray(i, i + 7_777));
    const sealed = await through(chunks, sealSegmented(key, context));
    if (size >= 64) expect(sealed.includes(plain.subarray(0, 64))).toBe(false);
    const pieces: Buffer[] = [];
    for (let i = 0; i < sealed.length; i += 1_000) pieces.push(sealed.subarray(i, i + 1_000));
    expect((await through(pieces, openSegmented(key, context))).equals(plain)).toBe(true);
  });

  it('refuses another key, another context, a flipped bit, truncation and extension', async () => {
    const sealed = await through([randomBytes(150_000)], sealSegmented(key, context));
    await expect(through([sealed], openSegmented(randomBytes(32), context))).rejects.toThrow(/authenticate/);
    await expect(through([sealed], openSegmented(key, 'import-file\u0000other'))).rejects.toThrow(/authenticate/);
    const flipped = Buffer.from(sealed);
    flipped[100] ^= 1;
    await expect(through([flipped], openSegmented(key, context))).rejects.toThrow(/authenticate/);
    const firstSegment = 12 + 5 + 65_536 + 16;
    await expect(through([sealed.subarray(0, firstSegment)], openSegmented(key, context))).rejects.toThrow(/truncated/);
    await expect(through([sealed, Buffer.from([0])], openSegmented(key, context))).rejects.toThrow(/after the final/);
  });

  it('lets the caller wipe its key buffer at once', async () => {
    const mine = Buffer.from(key);
    const seal = sealSegmented(mine, context);
    mine.fill(0);
    const sealed = await through([Buffer.from('홍길동')], seal);
    expect((await through([sealed], openSegmented(key, context))).toString()).toBe('홍길동');
  });
});
