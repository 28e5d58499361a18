import type { Writable } from 'node:stream';
import { BODY_BOLD, CONTENT_LEFT, CONTENT_RIGHT, CONTENT_WIDTH, LINE_STEP, cleanText } from './pdf-layout';
import { ListPdf, ROW_GAP, type Column } from './list-pdf';
import type { EvidenceItem, EvidenceListResult, ListRenderOptions, PlaintiffEvidenceRow } from './types';

export const EVIDENCE_LIST_TITLE = '별지 입증방법 목록';

/**
 * Evidence numbering (decided here, documented for the paralegals):
 * - case-level evidence first: 갑 제1호증, 갑 제2호증, … in the given order;
 * - then one number N per plaintiff **that has at least one accepted item**, in plaintiff order,
 *   continuing after the case-level numbers; the plaintiff's items are 갑 제N호증의 1, 2, … (always
 *   with "의 k", even for a single item, so every per-plaintiff item reads the same way);
 * - plaintiffs without evidence get no number (no gaps in the N sequence).
 * Example: 2 case-level items, plaintiffs 1 (2 items), 2 (none), 3 (1 item) -> 갑 제1호증, 갑 제2호증,
 * 갑 제3호증의 1, 갑 제3호증의 2 (원고 1), 갑 제4호증의 1 (원고 3).
 */
export function caseEvidenceLabel(n: number): string {
  return `갑 제${n}호증`;
}

export function plaintiffEvidenceLabel(n: number, k: number): string {
  return `갑 제${n}호증의 ${k}`;
}

export interface EvidenceListOptions extends ListRenderOptions {
  /**
   * N of the first plaintiff with evidence in this document. Default: right after the case-level
   * evidence. A later volume passes the previous volume's `nextEvidenceNumber`.
   */
  firstPlaintiffEvidenceNumber?: number;
  /** Print the case-level evidence (default: unless this is volume 2 or later). */
  includeCaseEvidence?: boolean;
}

const COLUMNS: Column[] = [
  { heading: '호증', x: CONTENT_LEFT, width: 170, align: 'left' },
  { heading: '표목', x: CONTENT_LEFT + 180, width: CONTENT_RIGHT - (CONTENT_LEFT + 180), align: 'left' },
];
const MAX_LABEL_LINES = 4;

/**
 * 별지 입증방법 목록: the case-level evidence, then each plaintiff's accepted evidence under a line
 * "원고 <번호> <성명>", numbered as described at {@link caseEvidenceLabel}. Rows are written as they come.
 */
export async function renderEvidenceList(
  input: { caseEvidence: EvidenceItem[] },
  rows: AsyncIterable<PlaintiffEvidenceRow> | Iterable<PlaintiffEvidenceRow>,
  opts: EvidenceListOptions,
  out: Writable,
): Promise<EvidenceListResult> {
  const list = new ListPdf(out, EVIDENCE_LIST_TITLE, COLUMNS, opts);
  const caseCount = input.caseEvidence.length;
  let next = opts.firstPlaintiffEvidenceNumber ?? caseCount + 1;
  let count = 0;
  let items = 0;
  try {
    if (!Number.isSafeInteger(next) || next < 1) throw new RangeError('firstPlaintiffEvidenceNumber must be >= 1');
    const includeCase = opts.includeCaseEvidence ?? (opts.volume === undefined || opts.volume.index === 1);
    if (includeCase) {
      input.caseEvidence.forEach((item, i) => {
        list.row([[caseEvidenceLabel(i + 1)], list.cell(cleanText(item.label), COLUMNS[1], MAX_LABEL_LINES)]);
        items += 1;
      });
    }
    for await (const row of rows) {
      count += 1;
      if (row.items.length === 0) continue;
      const n = next++;
      const header = list.writer.ellipsize(`원고 ${row.number}번 ${cleanText(row.name)}`, CONTENT_WIDTH, BODY_BOLD);
      const labels = row.items.map((item) => list.cell(cleanText(item.label), COLUMNS[1], MAX_LABEL_LINES));
      // keep the plaintiff's line with its first item
      list.ensure(LINE_STEP + ROW_GAP + labels[0].length * LINE_STEP);
      list.row([[header]], BODY_BOLD, 0);
      labels.forEach((label, i) => list.row([[plaintiffEvidenceLabel(n, i + 1)], label]));
      items += labels.length;
      await list.drain();
    }
  } catch (err) {
    list.abort(err);
    throw err;
  }
  const result = await list.finish();
  return { ...result, rows: count, items, nextEvidenceNumber: next };
}
