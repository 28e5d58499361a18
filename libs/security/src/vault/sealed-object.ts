import { createHash } from 'node:crypto';
import { SealedObjectError, StoredObjectNotFoundError, openToBuffer, type FileStorage } from '@app/platform';
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
