import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, FILE_STORAGE, queryRows, sealStream, type AppConfig, type FileStorage } from '@app/platform';
import { Vault, putSealedObject } from '@app/security';
import { CONTENT_TYPE, documentFileName, type DocumentKind } from './filing-documents';

/** Vault purpose of the wrapped per-document data keys. */
export const FILING_DOCUMENT_KEY_PURPOSE = 'filing-document';

/** AAD of a stored document: it only decrypts as the document of this row. */
export function filingDocumentAad(documentId: string): Buffer {
  return Buffer.from(`filing-document\u0000${documentId}`, 'utf8');
}

export interface DocumentSlot {
  filingId: string;
  label: string;
  kind: DocumentKind;
  volume: number;
  volumes: number;
}

export interface RenderedFacts {
  pages?: number;
  rows?: number;
}

export interface StoredDocument {
  kind: DocumentKind;
  volume: number;
  volumes: number;
  fileName: string;
  contentType: string;
  pages: number | null;
  rows: number | null;
  bytes: number;
  sha256: string;
}

/**
 * Writes one filing document: the renderer's bytes are hashed and counted on their way into the
 * file storage, sealed under a fresh data key (wrapped by the vault), so no plaintext copy ever
 * touches the disk. Then the `filing_documents` row is inserted with ON CONFLICT (filing_id, kind,
 * volume) DO NOTHING: if another run got there first, its document stands and ours is deleted. A
 * render that fails leaves nothing stored.
 */
@Injectable()
export class FilingDocumentStore {
  private readonly log = new Logger(FilingDocumentStore.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly vault: Vault,
  ) {}

  /**
   * Deletes the plaintext temporary files (`DATA_DIR/tmp/filing-*.part`) that versions before
   * sealed streaming rendered into, if a killed run left any. Run at worker boot.
   */
  async removeLegacyTemp(): Promise<number> {
    const dir = join(this.config.dataDir, 'tmp');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn(`cannot list ${dir} for old plaintext temporary files: ${(err as Error).message}`);
      }
      return 0;
    }
    // (During a rolling deploy an old worker's render in progress loses its file and is retried.)
    const stale = names.filter((n) => n.startsWith('filing-') && n.endsWith('.part'));
    const results = await Promise.allSettled(stale.map((n) => rm(join(dir, n), { force: true })));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failed) this.log.warn(`cannot remove an old plaintext temporary file: ${String(f.reason)}`);
    const removed = stale.length - failed.length;
    if (removed > 0) this.log.warn(`removed ${removed} plaintext temporary files of older versions`);
    return removed;
  }

  /**
   * Removes every document of a filing that failed for good: the rows in the caller's transaction
   * (so nothing can be listed or downloaded once it commits), the stored objects by the returned
   * function, to run after the commit. A document stored by an attempt before a plaintiff withdrew
   * would otherwise keep that person's data.
   */
  async discard(tx: EntityManager, filingId: string): Promise<() => Promise<void>> {
    const gone = await queryRows<{ storage_key: string }>(
      tx,
      `DELETE FROM filing_documents WHERE filing_id = $1 RETURNING storage_key`,
      [filingId],
    );
    return async () => {
      for (const { storage_key } of gone) {
        await this.storage.delete(storage_key).catch((err: unknown) => {
          this.log.warn(`could not delete a failed filing's document ${storage_key}: ${(err as Error).name}`);
        });
      }
    };
  }

  async write(slot: DocumentSlot, render: (out: Writable) => Promise<RenderedFacts>): Promise<StoredDocument> {
    const id = randomUUID();
    const hash = createHash('sha256');
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const stored = putSealedObject(this.vault, this.storage, {
      purpose: FILING_DOCUMENT_KEY_PURPOSE,
      ownerId: id,
      plaintext: [tap],
      seal: (dataKey) => sealStream(dataKey, filingDocumentAad(id)),
    });
    stored.catch(() => undefined); // awaited below, or the render error wins
    let facts: RenderedFacts;
    try {
      facts = await render(tap);
    } catch (err) {
      tap.destroy(err instanceof Error ? err : new Error(String(err)));
      // Mid-stream, the storage drops the partial object; a renderer that failed after ending its
      // output (a row count check) let it complete: delete it.
      const complete = await stored.catch(() => undefined);
      if (complete) await this.storage.delete(complete.storageKey).catch(() => undefined);
      throw err;
    }
    const { storageKey, wrappedKey } = await stored;
    const doc: StoredDocument = {
      kind: slot.kind,
      volume: slot.volume,
      volumes: slot.volumes,
      fileName: documentFileName(slot.kind, slot.label, slot.volume, slot.volumes),
      contentType: CONTENT_TYPE[slot.kind],
      pages: facts.pages ?? null,
      rows: facts.rows ?? null,
      bytes,
      sha256: hash.digest('hex'),
    };
    await this.record(slot.filingId, id, storageKey, wrappedKey, doc);
    return doc;
  }

  private async record(
    filingId: string,
    id: string,
    storageKey: string,
    dataKeyEnc: string,
    doc: StoredDocument,
  ): Promise<void> {
    let inserted: { id: string }[];
    try {
      inserted = await this.ds.query<{ id: string }[]>(
        `INSERT INTO filing_documents (id, filing_id, kind, volume, volumes, file_name, content_type, pages, rows,
                                       bytes, sha256, storage_key, data_key_enc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (filing_id, kind, volume) DO NOTHING RETURNING id`,
        [
          id,
          filingId,
          doc.kind,
          doc.volume,
          doc.volumes,
          doc.fileName,
          doc.contentType,
          doc.pages,
          doc.rows,
          doc.bytes,
          doc.sha256,
          storageKey,
          dataKeyEnc,
        ],
      );
    } catch (err) {
      await this.storage.delete(storageKey).catch(() => undefined);
      throw err;
    }
    if (inserted.length === 0) {
      this.log.warn(`filing ${filingId}: ${doc.kind} ${doc.volume} was stored by another run; dropping this copy`);
      await this.storage.delete(storageKey).catch(() => undefined);
    }
  }
}
