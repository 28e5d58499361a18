import type { Writable } from 'node:stream';
import { BODY_BOLD, CONTENT_LEFT, CONTENT_RIGHT, LINE_STEP } from './pdf-layout';
import { ListPdf, type Column } from './list-pdf';
import { addWon, cleanPlaintiffRow } from './rows';
import type { ClaimTableResult, ListRenderOptions, PlaintiffRow } from './types';
import { formatAmount, formatWon } from './won';

export const CLAIM_TABLE_TITLE = '별지 청구금액표';

export interface ClaimTableOptions extends ListRenderOptions {
  /**
   * Rows and amount of the volumes before this one. With `volume` of several, every volume ends
   * with its 소계 and the last one also with the 합계 of all volumes (these totals plus its own).
   */
  priorTotals?: { rows: number; totalKrw: number };
}

const COLUMNS: Column[] = [
  { heading: '번호', x: CONTENT_LEFT, width: 56, align: 'right' },
  { heading: '성명', x: CONTENT_LEFT + 68, width: 220, align: 'left' },
  { heading: '청구금액', x: CONTENT_RIGHT - 160, width: 160, align: 'right' },
];

/**
 * 별지 청구금액표: number, name and claimed amount of each plaintiff, then the total ("합계"). Rows
 * are written as they come; only the running total is kept.
 */
export async function renderClaimTable(
  rows: AsyncIterable<PlaintiffRow> | Iterable<PlaintiffRow>,
  opts: ClaimTableOptions,
  out: Writable,
): Promise<ClaimTableResult> {
  const list = new ListPdf(out, CLAIM_TABLE_TITLE, COLUMNS, opts);
  let count = 0;
  let totalKrw = 0;
  try {
    for await (const raw of rows) {
      const row = cleanPlaintiffRow(raw);
      list.row([[String(row.number)], list.cell(row.name, COLUMNS[1], 1), [formatWon(row.amountKrw)]]);
      totalKrw = addWon(totalKrw, row.amountKrw);
      count += 1;
      await list.drain();
    }
    const split = opts.volume !== undefined && opts.volume.of > 1;
    list.ensure(LINE_STEP * (split ? 3 : 2));
    list.rule();
    if (split) {
      list.row(
        ['', `소계 (이 권 ${formatAmount(count)}명)`, formatWon(totalKrw)].map((s) => [s]),
        BODY_BOLD,
      );
    }
    if (!split || opts.volume?.index === opts.volume?.of) {
      const prior = opts.priorTotals ?? { rows: 0, totalKrw: 0 };
      const allRows = prior.rows + count;
      const allKrw = addWon(prior.totalKrw, totalKrw);
      list.row(
        ['', `합계 (원고 ${formatAmount(allRows)}명)`, formatWon(allKrw)].map((s) => [s]),
        BODY_BOLD,
      );
    }
  } catch (err) {
    list.abort(err);
    throw err;
  }
  const result = await list.finish();
  return { ...result, rows: count, totalKrw };
}
