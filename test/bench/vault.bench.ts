import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { Vault, normalizeEmail } from '@app/security';
import { ratioOf, type Bench } from './bench-types';

const FIELDS = 20_000;
const GOAL = 0.5;

/** ops/s of `op` over `n` calls, best of three (the machine is shared). */
function opsPerSecond(n: number, op: (i: number) => void): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) op(i);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, n / seconds);
  }
  return Math.round(best);
}

/**
 * The vault's cost per personal field (AES-256-GCM with AAD and key-version prefix, plus the
 * HMAC blind index) against bare node:crypto AES-256-GCM of the same values, same run.
 */
export const bench: Bench = () => {
  const vault = new Vault([{ version: 1, key: randomBytes(32) }]);
  const rawKey = randomBytes(32);
  const values = Array.from({ length: 1000 }, (_, i) => `person${i}.${randomUUID().slice(0, 8)}@example.kr`);
  const rowIds = Array.from({ length: 1000 }, () => randomUUID());
  // Warm up both paths (JIT, derived-key caches).
  for (let i = 0; i < 2000; i++) {
    vault.encrypt({ table: 'claimants', column: 'email_enc', rowId: rowIds[i % 1000] }, values[i % 1000]);
  }
  const raw = opsPerSecond(FIELDS, (i) => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', rawKey, iv);
    Buffer.concat([c.update(values[i % 1000], 'utf8'), c.final(), c.getAuthTag()]);
  });
  const product = opsPerSecond(FIELDS, (i) => {
    const v = values[i % 1000];
    vault.encrypt({ table: 'claimants', column: 'email_enc', rowId: rowIds[i % 1000] }, v);
    vault.blindIndex('claimant-email', normalizeEmail(v));
  });
  const ratio = ratioOf(product, raw);
  return Promise.resolve({
    name: 'vault',
    value: product,
    unit: 'fields/s',
    baseline: 'raw node:crypto AES-256-GCM encrypt of the same value (random IV), same run',
    baselineValue: raw,
    ratio,
    goal: `>= ${GOAL}x fields/s`,
    met: ratio >= GOAL,
    extra: { fieldsPerRound: FIELDS, productIncludes: 'encrypt with AAD + version prefix + blind index (HMAC-SHA256)' },
  });
};
