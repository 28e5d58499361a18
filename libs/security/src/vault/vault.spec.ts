import { randomBytes } from 'node:crypto';
import { failsJobAtOnce } from '@app/platform';
import { UnknownKeyVersionError, Vault, VaultDecryptError } from './vault';
import { normalizeEmail, normalizeKoreanMobile, normalizeName } from './normalize';

const k1 = { version: 1, key: randomBytes(32) };
const k2 = { version: 2, key: randomBytes(32) };
const loc = { table: 'claimants', column: 'name', rowId: '11111111-1111-4111-8111-111111111111' };

describe('Vault', () => {
  it('round-trips and never stores the plaintext', () => {
    const v = new Vault([k1]);
    const c = v.encrypt(loc, '홍길동');
    expect(c).toMatch(/^v1\./);
    expect(c).not.toContain('홍길동');
    expect(v.decrypt(loc, c)).toBe('홍길동');
  });

  it('uses a fresh IV each time', () => {
    const v = new Vault([k1]);
    expect(v.encrypt(loc, 'x')).not.toBe(v.encrypt(loc, 'x'));
  });

  it('refuses ciphertext moved to another row, column or table', () => {
    const v = new Vault([k1]);
    const c = v.encrypt(loc, '홍길동');
    expect(() => v.decrypt({ ...loc, rowId: '22222222-2222-4222-8222-222222222222' }, c)).toThrow(VaultDecryptError);
    expect(() => v.decrypt({ ...loc, column: 'email' }, c)).toThrow(VaultDecryptError);
    expect(() => v.decrypt({ ...loc, table: 'staff' }, c)).toThrow(VaultDecryptError);
  });

  it('refuses a tampered value', () => {
    const v = new Vault([k1]);
    const c = v.encrypt(loc, '홍길동');
    // The second-to-last base64url character always carries six bits of the tag; change it for sure
    // (it once compared the last character instead, and left the value alone 1 time in 64).
    const i = c.length - 2;
    const flipped = c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1);
    expect(flipped).not.toBe(c);
    expect(() => v.decrypt(loc, flipped)).toThrow(VaultDecryptError);
  });

  it('decrypts old versions and encrypts with the newest', () => {
    const old = new Vault([k1]).encrypt(loc, 'a@b.kr');
    const ring = new Vault([k2, k1]);
    expect(ring.decrypt(loc, old)).toBe('a@b.kr');
    expect(Vault.versionOf(ring.encrypt(loc, 'a@b.kr'))).toBe(2);
  });

  it('tells a key version it lacks (retried by jobs) from a value that does not authenticate (not retried)', () => {
    const newer = new Vault([k2, k1]).encrypt(loc, 'a@b.kr');
    const old = new Vault([k1]);
    const lacking = (() => {
      try {
        return old.decrypt(loc, newer);
      } catch (e) {
        return e;
      }
    })();
    expect(lacking).toBeInstanceOf(UnknownKeyVersionError);
    expect(lacking).toMatchObject({ code: 'INTEGRITY_CHECK_FAILED', version: 2, transient: true });
    expect(failsJobAtOnce(lacking)).toBe(false);
    const tampered = (() => {
      try {
        return old.decrypt({ ...loc, column: 'email' }, old.encrypt(loc, 'x'));
      } catch (e) {
        return e;
      }
    })();
    expect(tampered).toBeInstanceOf(VaultDecryptError);
    expect(tampered).not.toBeInstanceOf(UnknownKeyVersionError);
    expect(failsJobAtOnce(tampered)).toBe(true);
    expect(failsJobAtOnce(new Error('connection reset'))).toBe(false);
  });

  it('blind indexes are deterministic per version and differ across kinds', () => {
    const v = new Vault([k1]);
    expect(v.blindIndex('phone', '+821012345678').equals(v.blindIndex('phone', '+821012345678'))).toBe(true);
    expect(v.blindIndex('phone', 'x').equals(v.blindIndex('email', 'x'))).toBe(false);
    const ring = new Vault([k2, k1]);
    const candidates = ring.blindIndexCandidates('phone', '+821012345678');
    expect(candidates).toHaveLength(2);
    expect(candidates[1].equals(v.blindIndex('phone', '+821012345678'))).toBe(true);
  });
});

describe('normalizers', () => {
  it('phones in any format become E.164 mobiles', () => {
    for (const p of ['010-1234-5678', '01012345678', '+82 10 1234 5678', '010 1234 5678', '(010) 1234-5678']) {
      expect(normalizeKoreanMobile(p)).toBe('+821012345678');
    }
    expect(normalizeKoreanMobile('02-123-4567')).toBeUndefined();
    expect(normalizeKoreanMobile('12345')).toBeUndefined();
    expect(normalizeKoreanMobile("010-1234-5678'; DROP TABLE x")).toBeUndefined();
  });

  it('names become NFC and emails lowercase', () => {
    const nfd = '홍길동'.normalize('NFD');
    expect(normalizeName(` ${nfd}  `)).toBe('홍길동');
    expect(normalizeEmail(' GilDong@Example.KR ')).toBe('gildong@example.kr');
  });
});
