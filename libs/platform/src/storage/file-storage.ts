import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Nest injection token of the {@link FileStorage} in use. */
export const FILE_STORAGE = Symbol('FILE_STORAGE');

/**
 * A store of opaque objects (already encrypted by the caller) under keys the application mints
 * with {@link newStorageKey}: never a name a user supplied. The local driver keeps them on disk;
 * an S3-compatible driver can implement the same four calls (PutObject, GetObject, DeleteObject,
 * HeadObject).
 */
export interface FileStorage {
  /** Stores the whole stream under `key`; the object appears only once it is complete. */
  put(key: string, stream: Readable): Promise<{ bytes: number }>;
  /** The object's bytes. A missing object makes the stream fail with {@link StoredObjectNotFoundError}. */
  get(key: string): Readable;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export class StoredObjectNotFoundError extends Error {
  constructor() {
    super('stored object not found');
    this.name = 'StoredObjectNotFoundError';
  }
}

export class InvalidStorageKeyError extends Error {
  constructor() {
    super('invalid storage key');
    this.name = 'InvalidStorageKeyError';
  }
}

const STORAGE_KEY = /^[0-9a-f]{32}$/;

/** A fresh random key: 128 bits as 32 lowercase hex characters. */
export function newStorageKey(): string {
  return randomBytes(16).toString('hex');
}

export function isStorageKey(key: string): boolean {
  return STORAGE_KEY.test(key);
}

export function assertStorageKey(key: string): void {
  if (!isStorageKey(key)) throw new InvalidStorageKeyError();
}
