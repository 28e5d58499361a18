import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, pipeline as pipelineCb, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  FILE_STORAGE,
  newDataKey,
  newStorageKey,
  sealStream,
  type AppConfig,
  type FileStorage,
} from '@app/platform';
import { Vault } from '@app/security';
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
 * Writes one filing document: the renderer streams into a temporary file under `DATA_DIR/tmp`
 * (hashing and counting the plaintext on the way), the file is then sealed into the file storage
 * under a fresh data key (wrapped by the vault), and the `filing_documents` row is inserted with
 * ON CONFLICT (filing_id, kind, volume) DO NOTHING: if another run got there first, its document
 * stands and ours is deleted. The temporary plaintext is removed in every case.
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

  private get tmpDir(): string {
    return join(this.config.dataDir, 'tmp');
  }

  /** Removes temporary files a killed run of this filing left behind. */
  async cleanTemp(filingId: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch {
      return;
    }
    const prefix = `filing-${filingId}-`;
    await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(this.tmpDir, n), { force: true })));
  }

  async write(slot: DocumentSlot, render: (out: Writable) => Promise<RenderedFacts>): Promise<StoredDocument> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    const tmp = join(
      this.tmpDir,
      `filing-${slot.filingId}-${slot.kind}-${slot.volume}-${randomBytes(4).toString('hex')}.part`,
    );
    try {
      const hash = createHash('sha256');
      let bytes = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      const written = pipeline(tap, createWriteStream(tmp, { mode: 0o600 }));
      written.catch(() => undefined); // awaited below, or the render error wins
      const facts = await render(tap);
      await written;
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
      await this.seal(slot.filingId, tmp, doc);
      return doc;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  private async seal(filingId: string, tmp: string, doc: StoredDocument): Promise<void> {
    const id = randomUUID();
    const storageKey = newStorageKey();
    const dataKey = newDataKey();
    let dataKeyEnc: string;
    try {
      let streamError: unknown;
      const sealed = pipelineCb(createReadStream(tmp), sealStream(dataKey, filingDocumentAad(id)), (err) => {
        if (err) streamError = err;
      });
      try {
        await this.storage.put(storageKey, sealed);
      } catch (err) {
        throw streamError ?? err;
      }
      dataKeyEnc = this.vault.wrapKey(FILING_DOCUMENT_KEY_PURPOSE, id, dataKey);
    } finally {
      dataKey.fill(0);
    }
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
