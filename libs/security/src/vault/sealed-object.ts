import { createHash } from 'node:crypto';
import { pipeline, type Readable, type Transform } from 'node:stream';
import {
  SealedObjectError,
  StoredObjectNotFoundError,
  newDataKey,
  newStorageKey,
  openToBuffer,
  type FileStorage,
} from '@app/platform';
import { Vault, VaultDecryptError } from './vault';

export interface SealedObjectRef {
  /** The key-wrap purpose the data key was wrapped for (e.g. evidence-file). */
  purpose: string;
  /** The row the data key and the ciphertext are bound to. */
  ownerId: string;
  wrappedKey: string | null;
  storageKey: string;
  aad: Buffer;
  /** What the row recorded at write time: the plaintext must match both. */
  bytes: number;
  sha256: string;
}

/**
 * Reads a stored object sealed under its own data key, unwrapped by the vault, and returns the
 * plaintext only if the GCM tag, the recorded size and the recorded SHA-256 all hold.
 * Integrity failures throw errors that {@link isIntegrityFailure} recognizes.
 */
export async function openSealedObject(vault: Vault, storage: FileStorage, ref: SealedObjectRef): Promise<Buffer> {
  if (!ref.wrappedKey) throw new SealedObjectError('no data key recorded');
  const key = vault.unwrapKey(ref.purpose, ref.ownerId, ref.wrappedKey);
  let body: Buffer;
  try {
    body = await openToBuffer(storage.get(ref.storageKey), key, ref.aad);
  } finally {
    key.fill(0);
  }
  if (body.length !== ref.bytes || createHash('sha256').update(body).digest('hex') !== ref.sha256) {
    throw new SealedObjectError('plaintext does not match the recorded hash');
  }
  return body;
}

/** A stored object that is missing, was altered, or is bound to another row. */
export function isIntegrityFailure(err: unknown): err is Error {
  return (
    err instanceof SealedObjectError || err instanceof StoredObjectNotFoundError || err instanceof VaultDecryptError
  );
}

export interface SealedObjectSource {
  /** The key-wrap purpose of the object's data key (e.g. evidence-file). */
  purpose: string;
  /** The row the data key is bound to. */
  ownerId: string;
  /** The plaintext: a source stream, then any transforms that inspect it on the way (type, size, hash). */
  plaintext: readonly [Readable, ...Transform[]];
  /** The sealing transform for the object's fresh data key (bound to its AAD). */
  seal: (dataKey: Buffer) => Transform;
}

/**
 * Streams plaintext into the file storage, sealed under a fresh data key, and returns the storage
 * key and the data key wrapped by the vault for the owning row (never the plaintext on disk, never
 * the data key at rest unwrapped). On any failure nothing stays stored; the error thrown is the
 * caller's own verdict if `failure` gives one (e.g. an inspector's 415), else the stream's, else the
 * storage's.
 */
export async function putSealedObject(
  vault: Vault,
  storage: FileStorage,
  source: SealedObjectSource,
  failure?: () => unknown,
): Promise<{ storageKey: string; wrappedKey: string }> {
  const storageKey = newStorageKey();
  const dataKey = newDataKey();
  try {
    const sealer = source.seal(dataKey);
    let streamError: unknown;
    pipeline([...source.plaintext, sealer], (err) => {
      if (err) streamError = err;
    });
    try {
      await storage.put(storageKey, sealer);
    } catch (err) {
      // A store that failed before reading leaves the streams open: close them, so that no writer
      // (a renderer, an upload) waits forever for room.
      const reason = err instanceof Error ? err : new Error(String(err));
      sealer.destroy(reason);
      for (const s of source.plaintext) s.destroy(reason);
      throw failure?.() ?? streamError ?? err;
    }
    try {
      return { storageKey, wrappedKey: vault.wrapKey(source.purpose, source.ownerId, dataKey) };
    } catch (err) {
      await storage.delete(storageKey).catch(() => undefined);
      throw err;
    }
  } finally {
    dataKey.fill(0);
  }
}
