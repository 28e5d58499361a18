import type { Writable } from 'node:stream';
import { CONTENT_LEFT, CONTENT_RIGHT } from './pdf-layout';
import { ListPdf, type Column } from './list-pdf';
import { cleanPlaintiffRow, fullAddress } from './rows';
import type { ListRenderOptions, ListRenderResult, PlaintiffRow } from './types';

export const PLAINTIFF_LIST_TITLE = '별지 원고 목록';

/** Longest address printed in full; longer ones are cut with "…" on the last line. */
const MAX_ADDRESS_LINES = 5;
const MAX_NAME_LINES = 2;

const COLUMNS: Column[] = [
  { heading: '번호', x: CONTENT_LEFT, width: 56, align: 'right' },
  { heading: '성명', x: CONTENT_LEFT + 68, width: 92, align: 'left' },
  { heading: '주소', x: CONTENT_LEFT + 172, width: CONTENT_RIGHT - (CONTENT_LEFT + 172), align: 'left' },
];

/**
 * 별지 원고 목록: number, name and address (postal code first) of each plaintiff, in the order the
 * rows arrive. Rows are written as they come (a page at a time), never collected.
 */
export async function renderPlaintiffList(
  rows: AsyncIterable<PlaintiffRow> | Iterable<PlaintiffRow>,
  opts: ListRenderOptions,
  out: Writable,
): Promise<ListRenderResult> {
  const list = new ListPdf(out, PLAINTIFF_LIST_TITLE, COLUMNS, opts);
  let count = 0;
  try {
    for await (const raw of rows) {
      const row = cleanPlaintiffRow(raw);
      list.row([
        [String(row.number)],
        list.cell(row.name, COLUMNS[1], MAX_NAME_LINES),
        list.cell(fullAddress(row), COLUMNS[2], MAX_ADDRESS_LINES),
      ]);
      count += 1;
      await list.drain();
    }
  } catch (err) {
    list.abort(err);
    throw err;
  }
  const result = await list.finish();
  return { ...result, rows: count };
}
