import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '@app/platform';
import { Vault, VaultDecryptError } from '@app/security';
import {
  CLAIMANTS_TABLE,
  CLAIMANT_ENCRYPTED_COLUMNS,
  blindIndexes,
  openClaimant,
  type ClaimantEncryptedColumn,
  type EncryptedRow,
} from '../claimant-fields';

export interface RotationProgress {
  table: string;
  rotated: number;
  /** Changed by someone else while rotating: picked up by the next run. */
  skipped: number;
  /** Failed their integrity check (moved or edited ciphertext): left as they are, listed for review. */
  failed: string[];
}

/** A table whose rows carry a vault-wrapped data key (`data_key_enc`) for one purpose. */
export interface WrappedKeyTable {
  table: string;
  purpose: string;
}

type Row = EncryptedRow & Record<ClaimantEncryptedColumn, string | null>;

/**
 * Re-encrypts personal data to the newest key version in small batches, each its own short
 * transaction, so the application keeps serving. Blind indexes are recomputed under the new key;
 * until a row is rotated, searches still find it (they try every configured key version).
 */
@Injectable()
export class ClaimantKeyRotationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly vault: Vault,
  ) {}

  async rotateAll(
    batchSize = 500,
    onBatch?: (p: RotationProgress) => void,
    wrappedKeys: readonly WrappedKeyTable[] = [],
  ): Promise<RotationProgress[]> {
    const out = [await this.rotateClaimants(batchSize, onBatch), await this.rotateIdempotencyResponses(batchSize)];
    for (const w of wrappedKeys) out.push(await this.rewrapDataKeys(w, batchSize));
    return out;
  }

  /**
   * Files (evidence, imports, filing documents) are encrypted under per-file data keys wrapped by
   * the vault: rotation re-wraps those small keys, never the files.
   */
  async rewrapDataKeys(w: WrappedKeyTable, batchSize: number): Promise<RotationProgress> {
    if (!/^[a-z_]+$/.test(w.table)) throw new Error(`bad table name ${w.table}`);
    const progress: RotationProgress = { table: w.table, rotated: 0, skipped: 0, failed: [] };
    const failed = new Set<string>();
    for (;;) {
      const rows = await this.ds.query<{ id: string; data_key_enc: string }[]>(
        `SELECT id, data_key_enc FROM ${w.table}
          WHERE data_key_enc IS NOT NULL AND data_key_enc NOT LIKE $1 AND NOT (id = ANY($2::uuid[]))
          ORDER BY id LIMIT $3`,
        [`v${this.vault.currentVersion}.%`, [...failed], batchSize],
      );
      if (rows.length === 0) return progress;
      for (const r of rows) {
        let key: Buffer;
        try {
          key = this.vault.unwrapKey(w.purpose, r.id, r.data_key_enc);
        } catch (e) {
          if (!(e instanceof VaultDecryptError)) throw e;
          failed.add(r.id);
          progress.failed.push(r.id);
          continue;
        }
        const updated = await queryRows<{ id: string }>(
          this.ds,
          `UPDATE ${w.table} SET data_key_enc = $2 WHERE id = $1 AND data_key_enc = $3 RETURNING id`,
          [r.id, this.vault.wrapKey(w.purpose, r.id, key), r.data_key_enc],
        );
        key.fill(0);
        if (updated.length > 0) progress.rotated++;
        else progress.skipped++;
      }
    }
  }

  private stalePredicate(): string {
    const prefix = `v${this.vault.currentVersion}.%`;
    return CLAIMANT_ENCRYPTED_COLUMNS.map((c) => `(${c} IS NOT NULL AND ${c} NOT LIKE '${prefix}')`).join(' OR ');
  }

  async rotateClaimants(batchSize: number, onBatch?: (p: RotationProgress) => void): Promise<RotationProgress> {
    const progress: RotationProgress = { table: CLAIMANTS_TABLE, rotated: 0, skipped: 0, failed: [] };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.ds.query<Row[]>(
        `SELECT id, ${CLAIMANT_ENCRYPTED_COLUMNS.join(', ')} FROM claimants
          WHERE id > $1 AND (${this.stalePredicate()}) ORDER BY id LIMIT $2`,
        [after, batchSize],
      );
      if (rows.length === 0) return progress;
      after = rows[rows.length - 1].id;
      await this.ds.transaction(async (tx) => {
        // Rows held elsewhere (a filing's plaintiffs while it renders, a correction) are skipped,
        // not waited for: no stall behind a long render and no deadlock with it. Still on the old
        // key, they are picked up by the next run.
        const free = new Set(
          (
            await tx.query<{ id: string }[]>(
              `SELECT id FROM claimants WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED`,
              [rows.map((r) => r.id)],
            )
          ).map((r) => r.id),
        );
        for (const row of rows) {
          if (!free.has(row.id)) {
            progress.skipped++;
            continue;
          }
          let p: ReturnType<typeof openClaimant>;
          try {
            p = openClaimant(this.vault, row);
          } catch (e) {
            if (!(e instanceof VaultDecryptError)) throw e;
            progress.failed.push(row.id);
            continue;
          }
          const at = (column: ClaimantEncryptedColumn) => ({ table: CLAIMANTS_TABLE, column, rowId: row.id });
          const next: Record<ClaimantEncryptedColumn, string | null> = {
            name_enc: p.name !== undefined ? this.vault.encrypt(at('name_enc'), p.name) : null,
            birth_date_enc: p.birthDate !== undefined ? this.vault.encrypt(at('birth_date_enc'), p.birthDate) : null,
            phone_enc: p.phone !== undefined ? this.vault.encrypt(at('phone_enc'), p.phone) : null,
            email_enc: p.email !== undefined ? this.vault.encrypt(at('email_enc'), p.email) : null,
            address_enc:
              p.address !== undefined ? this.vault.encrypt(at('address_enc'), JSON.stringify(p.address)) : null,
            harms_enc: p.harms !== undefined ? this.vault.encrypt(at('harms_enc'), JSON.stringify(p.harms)) : null,
          };
          const complete = p.name && p.birthDate && p.phone && p.email && p.address;
          const idx = complete
            ? blindIndexes(this.vault, {
                name: p.name!,
                birthDate: p.birthDate!,
                phone: p.phone!,
                email: p.email!,
                address: p.address!,
              })
            : undefined;
          // Optimistic: only if nobody changed the row since we read it (a correction wins).
          const updated = await queryRows<{ id: string }>(
            tx,
            `UPDATE claimants SET name_enc = $2, birth_date_enc = $3, phone_enc = $4, email_enc = $5,
                    address_enc = $6, harms_enc = $7,
                    name_bidx = coalesce($8, name_bidx), phone_bidx = coalesce($9, phone_bidx),
                    email_bidx = coalesce($10, email_bidx), name_birth_bidx = coalesce($11, name_birth_bidx),
                    address_bidx = coalesce($12, address_bidx), source_ip_bidx = NULL
              WHERE id = $1 AND ${CLAIMANT_ENCRYPTED_COLUMNS.map((c, i) => `${c} IS NOT DISTINCT FROM $${13 + i}`).join(' AND ')}
              RETURNING id`,
            [
              row.id,
              next.name_enc,
              next.birth_date_enc,
              next.phone_enc,
              next.email_enc,
              next.address_enc,
              next.harms_enc,
              idx?.name_bidx ?? null,
              idx?.phone_bidx ?? null,
              idx?.email_bidx ?? null,
              idx?.name_birth_bidx ?? null,
              idx?.address_bidx ?? null,
              ...CLAIMANT_ENCRYPTED_COLUMNS.map((c) => row[c]),
            ],
          );
          if (updated.length > 0) progress.rotated++;
          else progress.skipped++;
        }
      });
      onBatch?.(progress);
    }
  }

  /**
   * Re-encrypts the stored receipts of Idempotency-Keys, in key order. A receipt that does not open
   * (damaged, or under a key no longer configured) is reported in `failed` as `case:key` and left
   * as it is, like the other tables' rows: the run goes on.
   */
  async rotateIdempotencyResponses(batchSize: number): Promise<RotationProgress> {
    const progress: RotationProgress = { table: 'idempotency_keys', rotated: 0, skipped: 0, failed: [] };
    let after: [string, string] = ['00000000-0000-0000-0000-000000000000', ''];
    for (;;) {
      const rows = await this.ds.query<{ case_id: string; key: string; response_enc: string }[]>(
        `SELECT case_id, key, response_enc FROM idempotency_keys
          WHERE response_enc IS NOT NULL AND response_enc NOT LIKE $1 AND (case_id, key) > ($3::uuid, $4::text)
          ORDER BY case_id, key LIMIT $2`,
        [`v${this.vault.currentVersion}.%`, batchSize, after[0], after[1]],
      );
      if (rows.length === 0) return progress;
      after = [rows[rows.length - 1].case_id, rows[rows.length - 1].key];
      for (const r of rows) {
        const loc = { table: 'idempotency_keys', column: 'response_enc', rowId: `${r.case_id}:${r.key}` };
        let plain: string;
        try {
          plain = this.vault.decrypt(loc, r.response_enc);
        } catch (e) {
          if (!(e instanceof VaultDecryptError)) throw e;
          progress.failed.push(`${r.case_id}:${r.key}`);
          continue;
        }
        const updated = await queryRows<{ key: string }>(
          this.ds,
          `UPDATE idempotency_keys SET response_enc = $3 WHERE case_id = $1 AND key = $2 AND response_enc = $4
           RETURNING key`,
          [r.case_id, r.key, this.vault.encrypt(loc, plain), r.response_enc],
        );
        if (updated.length > 0) progress.rotated++;
        else progress.skipped++;
      }
    }
  }
}
