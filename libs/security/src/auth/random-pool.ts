import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * `n` bytes from the CSPRNG, served from a pool refilled 4 KB at a time (as node:crypto does for
 * randomUUID): one `randomBytes` call costs a few microseconds whatever its size, and the public form
 * draws a token on every submission. Each byte is handed out once; the slice is a copy.
 */
export function pooledRandomBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError('pooledRandomBytes: n must be a positive integer');
  if (n > POOL_BYTES) return randomFillSync(Buffer.alloc(n));
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}
