import { randomBytes } from 'node:crypto';
import { Vault, VaultDecryptError } from './vault';

const k1 = { version: 1, key: randomBytes(32) };
const k2 = { version: 2, key: randomBytes(32) };
const id = '11111111-1111-4111-8111-111111111111';

describe('Vault key wrapping (per-file data keys)', () => {
  it('wraps under the newest key and unwraps for the same purpose and owner', () => {
    const dataKey = randomBytes(32);
    const v = new Vault([k1, k2]);
    const wrapped = v.wrapKey('evidence-file', id, dataKey);
    expect(wrapped).toMatch(/^v2\.[A-Za-z0-9_-]+$/);
    expect(wrapped).not.toContain(dataKey.toString('base64url'));
    expect(v.unwrapKey('evidence-file', id, wrapped).equals(dataKey)).toBe(true);
    expect(v.wrapKey('evidence-file', id, dataKey)).not.toBe(wrapped);
  });

  it('still unwraps keys wrapped under an older master key during a rotation', () => {
    const dataKey = randomBytes(32);
    const wrapped = new Vault([k1]).wrapKey('evidence-file', id, dataKey);
    expect(new Vault([k2, k1]).unwrapKey('evidence-file', id, wrapped).equals(dataKey)).toBe(true);
    expect(() => new Vault([k2]).unwrapKey('evidence-file', id, wrapped)).toThrow(VaultDecryptError);
  });

  it('refuses another owner, another purpose, a tampered value and garbage', () => {
    const v = new Vault([k1]);
    const wrapped = v.wrapKey('evidence-file', id, randomBytes(32));
    expect(() => v.unwrapKey('evidence-file', '22222222-2222-4222-8222-222222222222', wrapped)).toThrow(
      VaultDecryptError,
    );
    expect(() => v.unwrapKey('import-file', id, wrapped)).toThrow(VaultDecryptError);
    const raw = Buffer.from(wrapped.slice(3), 'base64url');
    raw[20] ^= 1;
    expect(() => v.unwrapKey('evidence-file', id, `v1.${raw.toString('base64url')}`)).toThrow(VaultDecryptError);
    expect(() => v.unwrapKey('evidence-file', id, 'nonsense')).toThrow(VaultDecryptError);
  });
});
