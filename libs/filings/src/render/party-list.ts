import { Transform, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { addWon, cleanPlaintiffRow, fullAddress, type CleanPlaintiffRow } from './rows';
import type { PlaintiffRow } from './types';

/**
 * Party list (당사자 목록) for registering many plaintiffs from a spreadsheet: one row per plaintiff,
 * columns 번호, 성명, 우편번호, 주소, 청구금액 (integer won). XLSX and CSV carry the same data.
 */
export const PARTY_LIST_HEADERS = ['번호', '성명', '우편번호', '주소', '청구금액'] as const;
/** Data rows one XLSX sheet can hold (1,048,576 rows minus the header). */
export const XLSX_MAX_ROWS = 1_048_575;

export interface PartyListResult {
  rows: number;
  bytes: number;
  totalKrw: number;
}

/** Cell styles of the party list's columns: postal code as text (keeps "06234"), amount "#,##0". */
const CELL_STYLES: readonly Partial<ExcelJS.Style>[] = [{}, {}, { numFmt: '@' }, {}, { numFmt: '#,##0' }].map((s) =>
  Object.freeze(s),
);

function partyCells(row: CleanPlaintiffRow): [number, string, string, string, number] {
  return [row.number, row.name, row.postalCode, fullAddress(row, false), row.amountKrw];
}

/** Counts bytes on their way to `out`. */
function byteCounter(): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      callback(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

function waitDrain(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('output stream closed before the party list was complete'));
    };
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}

/**
 * XLSX party list through exceljs's streaming WorkbookWriter: each row is committed as it arrives
 * (number and amount as numbers, amount formatted "#,##0", postal code as text so "06234" keeps its
 * zero). Ends `out`.
 */
export async function writePartyListXlsx(
  rows: AsyncIterable<PlaintiffRow> | Iterable<PlaintiffRow>,
  out: Writable,
  options: { created?: Date; sheetName?: string } = {},
): Promise<PartyListResult> {
  const counter = byteCounter();
  counter.pipe(out);
  const outDone = finished(out, { readable: false });
  outDone.catch(() => undefined);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: counter,
    useStyles: true,
    useSharedStrings: false,
  });
  if (options.created) {
    workbook.created = options.created;
    workbook.modified = options.created;
  }
  const sheet = workbook.addWorksheet(options.sheetName ?? '당사자목록', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = [
    { header: PARTY_LIST_HEADERS[0], key: 'number', width: 10 },
    { header: PARTY_LIST_HEADERS[1], key: 'name', width: 16 },
    { header: PARTY_LIST_HEADERS[2], key: 'postalCode', width: 10, style: { numFmt: '@' } },
    { header: PARTY_LIST_HEADERS[3], key: 'address', width: 70 },
    { header: PARTY_LIST_HEADERS[4], key: 'amount', width: 14, style: { numFmt: '#,##0' } },
  ];
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let count = 0;
  let totalKrw = 0;
  try {
    for await (const raw of rows) {
      const row = cleanPlaintiffRow(raw);
      if (count >= XLSX_MAX_ROWS) throw new RangeError(`an XLSX sheet holds at most ${XLSX_MAX_ROWS} plaintiffs`);
      const added = sheet.addRow(partyCells(row));
      // one style object per column for every cell: exceljs then resolves each style once, not per cell
      for (let i = 0; i < CELL_STYLES.length; i++) added.getCell(i + 1).style = CELL_STYLES[i];
      added.commit();
      totalKrw = addWon(totalKrw, row.amountKrw);
      count += 1;
      if ((count & 1023) === 0 && out.writableNeedDrain) await waitDrain(out);
    }
    sheet.commit();
    await workbook.commit();
  } catch (err) {
    counter.unpipe(out);
    out.destroy(); // the caller gets the error from the rejection
    throw err;
  }
  await outDone;
  return { rows: count, bytes: counter.bytes, totalKrw };
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A text cell guarded against spreadsheet formula injection (OWASP): text from claimants that starts
 * with =, +, -, @, tab or CR gets a leading apostrophe, so a spreadsheet shows it as text.
 */
export function csvText(value: string): string {
  return csvField(FORMULA_START.test(value) ? `'${value}` : value);
}

/** CSV party list: UTF-8 with a BOM (so spreadsheets read Hangul), RFC 4180 quoting, CRLF line ends. Ends `out`. */
export async function writePartyListCsv(
  rows: AsyncIterable<PlaintiffRow> | Iterable<PlaintiffRow>,
  out: Writable,
): Promise<PartyListResult> {
  const outDone = finished(out, { readable: false });
  outDone.catch(() => undefined);
  let bytes = 0;
  let buffer = '\uFEFF' + PARTY_LIST_HEADERS.map(csvField).join(',') + '\r\n';
  const flush = async (): Promise<void> => {
    const chunk = Buffer.from(buffer, 'utf8');
    buffer = '';
    bytes += chunk.length;
    if (!out.write(chunk)) await waitDrain(out);
  };
  let count = 0;
  let totalKrw = 0;
  try {
    for await (const raw of rows) {
      const row = cleanPlaintiffRow(raw);
      const [number, name, postalCode, address, amount] = partyCells(row);
      buffer += `${number},${csvText(name)},${csvField(postalCode)},${csvText(address)},${amount}\r\n`;
      totalKrw = addWon(totalKrw, row.amountKrw);
      count += 1;
      if (buffer.length >= 32_768) await flush();
    }
    await flush();
    out.end();
  } catch (err) {
    out.destroy(); // the caller gets the error from the rejection
    throw err;
  }
  await outDone;
  return { rows: count, bytes, totalKrw };
}
