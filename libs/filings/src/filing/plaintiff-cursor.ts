import type { DataSource, QueryRunner } from 'typeorm';
import { openClaimant } from '@app/claimants';
import type { Vault } from '@app/security';
import type { RowDocumentRow } from '../render/row-document';
import type { EvidenceItem } from '../render/types';

/** Rows fetched (and decrypted) per round trip. */
export const CURSOR_BATCH = 1000;

/** A range of plaintiff numbers in one filing, both ends included. */
export interface PlaintiffRange {
  filingId: string;
  from: number;
  to: number;
}

/**
 * Rows of a query read through a server-side cursor (DECLARE … NO SCROLL CURSOR, FETCH n) in a
 * read-only transaction on a dedicated connection: at most one batch is in memory. Ending the
 * iteration early (the consumer threw) rolls back and releases the connection.
 */
export async function* cursorRows<T>(
  ds: DataSource,
  sql: string,
  params: unknown[],
  batch = CURSOR_BATCH,
): AsyncGenerator<T[]> {
  const qr: QueryRunner = ds.createQueryRunner();
  await qr.connect();
  let open = false;
  try {
    await qr.query('BEGIN TRANSACTION READ ONLY');
    open = true;
    await qr.query(`DECLARE filing_rows NO SCROLL CURSOR FOR ${sql}`, params);
    for (;;) {
      const rows = (await qr.query(`FETCH ${batch} FROM filing_rows`)) as T[];
      if (rows.length > 0) yield rows;
      if (rows.length < batch) break;
    }
    await qr.query('COMMIT');
    open = false;
  } finally {
    if (open) await qr.query('ROLLBACK').catch(() => undefined);
    await qr.release();
  }
}

interface PlaintiffDbRow {
  number: number;
  amount_krw: string;
  id: string;
  name_enc: string | null;
  address_enc: string | null;
}

function amountOf(raw: string, number: number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`plaintiff ${number}: amount out of range`);
  return n;
}

/** Korean names of the evidence kinds (case settings may add their own kinds: shown as given). */
export const EVIDENCE_KIND_LABEL: Readonly<Record<string, string>> = Object.freeze({
  breach_notice: '개인정보 유출 통지',
  account_proof: '쿠팡 계정 보유 증빙',
  secondary_harm: '2차 피해 증빙',
  other: '기타 증거',
});

/** "개인정보 유출 통지 (2025-12-01)": the kind and the day it was submitted (Korea time). */
export function evidenceLabel(kind: string, on: string): EvidenceItem {
  return { label: `${EVIDENCE_KIND_LABEL[kind] ?? kind} (${on})` };
}

/** SQL: accepted, live evidence of a claimant. */
export const ACCEPTED_EVIDENCE = `e.status = 'accepted' AND e.deleted_at IS NULL`;

/** A plaintiff with everything any document needs: list and table columns plus accepted evidence. */
export type FilingRowData = RowDocumentRow;

interface FullDbRow extends PlaintiffDbRow {
  items: { kind: string; on: string }[] | null;
}

/**
 * One pass over the plaintiffs `from..to` in number order, in decrypted batches: each name (and,
 * when asked, address) is decrypted once for every document fed from the pass.
 */
export async function* filingRowBatches(
  ds: DataSource,
  vault: Vault,
  range: PlaintiffRange,
  opts: { address: boolean; evidence: boolean },
): AsyncGenerator<FilingRowData[]> {
  const sql = `SELECT fp.number, fp.amount_krw::text AS amount_krw, c.id, c.name_enc,
                      ${opts.address ? 'c.address_enc' : 'NULL::text AS address_enc'},
                      ${opts.evidence ? 'ev.items' : 'NULL::json AS items'}
                 FROM filing_plaintiffs fp
                 JOIN claimants c ON c.id = fp.claimant_id
                 ${
                   opts.evidence
                     ? `LEFT JOIN LATERAL (
                          SELECT json_agg(json_build_object(
                                   'kind', e.kind,
                                   'on', to_char(e.created_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD'))
                                 ORDER BY e.created_at, e.id) AS items
                            FROM evidence e
                           WHERE e.claimant_id = c.id AND ${ACCEPTED_EVIDENCE}
                        ) ev ON true`
                     : ''
                 }
                WHERE fp.filing_id = $1 AND fp.number BETWEEN $2 AND $3
                ORDER BY fp.number`;
  for await (const batch of cursorRows<FullDbRow>(ds, sql, [range.filingId, range.from, range.to])) {
    yield batch.map((r) => {
      const p = openClaimant(vault, { id: r.id, name_enc: r.name_enc, address_enc: r.address_enc });
      return {
        number: r.number,
        name: p.name ?? '',
        postalCode: p.address?.postalCode ?? '',
        address1: p.address?.line1 ?? '',
        address2: p.address?.line2 ?? '',
        amountKrw: amountOf(r.amount_krw, r.number),
        items: (r.items ?? []).map((i) => evidenceLabel(i.kind, i.on)),
      };
    });
  }
}
