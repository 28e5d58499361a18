import { Writable } from 'node:stream';
import { renderClaimTable, type ClaimTableOptions } from './claim-table';
import { renderEvidenceList, type EvidenceListOptions } from './evidence-list';
import { writePartyListCsv, writePartyListXlsx } from './party-list';
import { renderPlaintiffList } from './plaintiff-list';
import type { EvidenceItem, ListRenderOptions, PlaintiffEvidenceRow, PlaintiffRow } from './types';

/** A plaintiff with every column a row document prints: list and table columns plus accepted evidence. */
export interface RowDocumentRow extends PlaintiffRow, PlaintiffEvidenceRow {}

/**
 * What to render from a stream of plaintiff rows: plain data (it crosses to a render thread by
 * structured clone), one variant per document kind.
 */
export type RowDocumentJob =
  | { kind: 'plaintiff-list'; options: ListRenderOptions }
  | { kind: 'claim-table'; options: ClaimTableOptions }
  | { kind: 'evidence-list'; caseEvidence: EvidenceItem[]; options: EvidenceListOptions }
  | { kind: 'party-list-xlsx'; options: { created?: Date } }
  | { kind: 'party-list-csv' };

export type RowDocumentKind = RowDocumentJob['kind'];

/** What the store records of a rendered row document. */
export interface RowDocumentFacts {
  rows: number;
  pages?: number;
}

/** Renders one row document from `rows` into `out` (which the renderer ends, or destroys on failure). */
export async function renderRowDocument(
  job: RowDocumentJob,
  rows: AsyncIterable<RowDocumentRow> | Iterable<RowDocumentRow>,
  out: Writable,
): Promise<RowDocumentFacts> {
  switch (job.kind) {
    case 'plaintiff-list': {
      const r = await renderPlaintiffList(rows, job.options, out);
      return { rows: r.rows, pages: r.pages };
    }
    case 'claim-table': {
      const r = await renderClaimTable(rows, job.options, out);
      return { rows: r.rows, pages: r.pages };
    }
    case 'evidence-list': {
      const r = await renderEvidenceList({ caseEvidence: job.caseEvidence }, rows, job.options, out);
      return { rows: r.rows, pages: r.pages };
    }
    case 'party-list-xlsx':
      return { rows: (await writePartyListXlsx(rows, out, job.options)).rows };
    case 'party-list-csv':
      return { rows: (await writePartyListCsv(rows, out)).rows };
  }
}

/** A sink that drops what is written: for {@link warmUpRenderers}. */
function discard(): Writable {
  return new Writable({
    write(_chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
      done();
    },
  });
}

/**
 * Renders a small document of every kind into nothing: loads pdfkit, exceljs and the fonts and lets
 * the JIT compile the hot paths, so a worker's first filing does not pay for that.
 */
export async function warmUpRenderers(rowsPerKind = 300): Promise<void> {
  const rows = (): RowDocumentRow[] =>
    Array.from({ length: rowsPerKind }, (_, i) => ({
      number: i + 1,
      name: `홍길동${i % 10}`,
      postalCode: '06234',
      address1: '서울특별시 강남구 테헤란로 123',
      address2: `${(i % 20) + 1}층 ${i + 1}호`,
      amountKrw: 300_000,
      items: i % 3 === 0 ? [{ label: '개인정보 유출 통지 (2025-12-01)' }] : [],
    }));
  const jobs: RowDocumentJob[] = [
    { kind: 'plaintiff-list', options: {} },
    { kind: 'claim-table', options: {} },
    { kind: 'evidence-list', caseEvidence: [{ label: '유출 사고 공지문' }], options: {} },
    { kind: 'party-list-xlsx', options: {} },
    { kind: 'party-list-csv' },
  ];
  for (const job of jobs) await renderRowDocument(job, rows(), discard());
}
