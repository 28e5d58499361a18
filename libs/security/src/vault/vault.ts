import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { DomainError, type PiiMasterKey } from '@app/platform';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = 'jsi-pii-vault';
/** Field IVs come from the CSPRNG ~4 KiB at a time: one call per 341 values, each slice used once. */
const IV_POOL_BYTES = IV_BYTES * 341;

/** Where a value lives: bound into the ciphertext as AAD so it cannot be moved to another row. */
export interface FieldLocation {
  table: string;
  column: string;
  rowId: string;
}

/**
 * Stored personal data failed its integrity check (moved, edited or written under an unknown key).
 * Answered as 409 INTEGRITY_CHECK_FAILED: the data is withheld, nothing else is revealed.
 */
export class VaultDecryptError extends DomainError {
  constructor(detail: string) {
    super('INTEGRITY_CHECK_FAILED', 'Stored personal data failed its integrity check');
    this.name = 'VaultDecryptError';
    this.detail = detail;
  }

  readonly detail: string;
}

/**
 * A value or key sealed under a master key version this process does not have. During a key
 * rotation's rolling restart that is a process still on the old key set: another process, or this
 * one after its restart, can open it, so a queued job retries instead of failing for good.
 */
export class UnknownKeyVersionError extends VaultDecryptError {
  override readonly transient = true;

  constructor(readonly version: number) {
    super(`no master key of version ${version} is configured`);
    this.name = 'UnknownKeyVersionError';
  }
}

interface VersionKeys {
  version: number;
  master: Buffer;
  columnKeys: Map<string, Buffer>;
  indexKeys: Map<string, Buffer>;
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, SALT, info, 32));
}

/**
 * The personal-data vault. AES-256-GCM with a random 96-bit IV and a 16-byte tag; AAD binds table,
 * column and row id; column keys and blind-index keys are derived with HKDF from the master key of
 * each version. Stored form: `v<version>.<base64url(iv | ciphertext | tag)>`.
 */
export class Vault {
  private readonly versions = new Map<number, VersionKeys>();
  readonly currentVersion: number;

  constructor(keys: readonly PiiMasterKey[]) {
    if (keys.length === 0) throw new Error('the vault needs at least one master key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error('master keys must be 32 bytes');
      this.versions.set(k.version, { version: k.version, master: k.key, columnKeys: new Map(), indexKeys: new Map() });
    }
    this.currentVersion = Math.max(...keys.map((k) => k.version));
  }

  get versionsNewestFirst(): number[] {
    return [...this.versions.keys()].sort((a, b) => b - a);
  }

  private keys(version: number): VersionKeys {
    const v = this.versions.get(version);
    if (!v) throw new UnknownKeyVersionError(version);
    return v;
  }

  private columnKey(v: VersionKeys, table: string, column: string): Buffer {
    const name = `${table}.${column}`;
    let key = v.columnKeys.get(name);
    if (!key) {
      key = derive(v.master, `column:${name}`);
      v.columnKeys.set(name, key);
    }
    return key;
  }

  private indexKey(v: VersionKeys, kind: string): Buffer {
    let key = v.indexKeys.get(kind);
    if (!key) {
      key = derive(v.master, `blind-index:${kind}`);
      v.indexKeys.set(kind, key);
    }
    return key;
  }

  private ivPool = Buffer.alloc(0);
  private ivNext = 0;

  /** A fresh random 96-bit IV (bulk encryption, e.g. imports, spends much of its time drawing them one by one). */
  private freshIv(): Buffer {
    if (this.ivNext + IV_BYTES > this.ivPool.length) {
      this.ivPool = randomBytes(IV_POOL_BYTES);
      this.ivNext = 0;
    }
    const iv = this.ivPool.subarray(this.ivNext, this.ivNext + IV_BYTES);
    this.ivNext += IV_BYTES;
    return iv;
  }

  encrypt(loc: FieldLocation, plaintext: string): string {
    const v = this.keys(this.currentVersion);
    const iv = this.freshIv();
    const cipher = createCipheriv('aes-256-gcm', this.columnKey(v, loc.table, loc.column), iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(aad(loc));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v${v.version}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  decrypt(loc: FieldLocation, stored: string): string {
    const m = /^v(\d{1,4})\.([A-Za-z0-9_-]+)$/.exec(stored);
    if (!m) throw new VaultDecryptError('not a vault value');
    const v = this.keys(Number(m[1]));
    const raw = Buffer.from(m[2], 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new VaultDecryptError('vault value too short');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.columnKey(v, loc.table, loc.column),
      raw.subarray(0, IV_BYTES),
      { authTagLength: TAG_BYTES },
    );
    decipher.setAAD(aad(loc));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new VaultDecryptError('vault value does not authenticate at this location');
    }
  }

  /** The key version a stored value was written under. */
  static versionOf(stored: string): number | undefined {
    const m = /^v(\d{1,4})\./.exec(stored);
    return m ? Number(m[1]) : undefined;
  }

  private readonly wrapKeys = new Map<string, Buffer>();

  private wrapKeyFor(version: number, purpose: string): Buffer {
    const name = `${version}:${purpose}`;
    let key = this.wrapKeys.get(name);
    if (!key) {
      key = derive(this.keys(version).master, `key-wrap:${purpose}`);
      this.wrapKeys.set(name, key);
    }
    return key;
  }

  /**
   * Envelope encryption for per-object data keys (e.g. of an evidence file): the data key is
   * encrypted (AES-256-GCM, random IV) under a key-encryption key derived with HKDF from the newest
   * master key (info `key-wrap:<purpose>`); AAD binds purpose and owner id, so a wrapped key moved
   * to another row does not unwrap. Same stored form as field values (`v<version>.<base64url>`), so
   * a key rotation re-wraps the small key and never re-encrypts the object.
   */
  wrapKey(purpose: string, ownerId: string, dataKey: Buffer): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.wrapKeyFor(this.currentVersion, purpose), iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(`key-wrap\u0000${purpose}\u0000${ownerId}`, 'utf8'));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return `v${this.currentVersion}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The data key wrapped by {@link wrapKey} for this purpose and owner; throws VaultDecryptError otherwise. */
  unwrapKey(purpose: string, ownerId: string, wrapped: string): Buffer {
    const m = /^v(\d{1,4})\.([A-Za-z0-9_-]+)$/.exec(wrapped);
    if (!m) throw new VaultDecryptError('not a wrapped key');
    const kek = this.wrapKeyFor(Number(m[1]), purpose);
    const raw = Buffer.from(m[2], 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES + 1) throw new VaultDecryptError('wrapped key too short');
    const decipher = createDecipheriv('aes-256-gcm', kek, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`key-wrap\u0000${purpose}\u0000${ownerId}`, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new VaultDecryptError('wrapped key does not authenticate for this owner');
    }
  }

  /** Blind index (HMAC-SHA256) of an already normalized value, under the newest key. */
  blindIndex(kind: string, normalized: string): Buffer {
    return this.blindIndexAt(this.currentVersion, kind, normalized);
  }

  /** Blind indexes under every configured key version: search with these while a rotation runs. */
  blindIndexCandidates(kind: string, normalized: string): Buffer[] {
    return this.versionsNewestFirst.map((v) => this.blindIndexAt(v, kind, normalized));
  }

  private blindIndexAt(version: number, kind: string, normalized: string): Buffer {
    return createHmac('sha256', this.indexKey(this.keys(version), kind))
      .update(normalized, 'utf8')
      .digest();
  }
}

function aad(loc: FieldLocation): Buffer {
  return Buffer.from(`${loc.table}\u0000${loc.column}\u0000${loc.rowId}`, 'utf8');
}
