import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { PARTY_LIST_HEADERS, csvField, writePartyListCsv, writePartyListXlsx } from './party-list';
import { TempDir, syntheticRow, syntheticRows } from './spec-helpers';
import type { PlaintiffRow } from './types';

const tricky: PlaintiffRow[] = [
  {
    number: 1,
    name: '홍길동',
    postalCode: '06234',
    address1: '서울특별시 강남구 테헤란로 123',
    address2: '101동 1203호',
    amountKrw: 300_000,
  },
  {
    number: 2,
    name: '김 "철수"',
    postalCode: '04524',
    address1: '서울특별시 중구 세종대로 110, "시청" 별관',
    address2: '3층, 302호',
    amountKrw: 200_000,
  },
  { number: 3, name: '=HYPERLINK("x")', postalCode: '01000', address1: '-1+1', amountKrw: 0 },
];

describe('party list', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it('writes XLSX with a header and one row per plaintiff, numbers as numbers, postal codes as text', async () => {
    const path = dir.file('parties.xlsx');
    const result = await writePartyListXlsx(syntheticRows(1_500), dir.stream('parties.xlsx'));
    expect(result.rows).toBe(1_500);
    expect(result.bytes).toBe(readFileSync(path).length);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.worksheets[0];
    expect(sheet.rowCount).toBe(1_501);
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([...PARTY_LIST_HEADERS]);
    for (const n of [1, 777, 1_500]) {
      const row = syntheticRow(n);
      expect((sheet.getRow(n + 1).values as unknown[]).slice(1)).toEqual([
        n,
        row.name,
        row.postalCode,
        `${row.address1} ${row.address2}`,
        row.amountKrw,
      ]);
    }
    expect(sheet.getRow(2).getCell(5).numFmt).toBe('#,##0');
    expect(sheet.getRow(2).getCell(3).numFmt).toBe('@');
  });

  it('keeps quotes and formula-like text in XLSX as plain strings', async () => {
    const path = dir.file('tricky.xlsx');
    await writePartyListXlsx(tricky, dir.stream('tricky.xlsx'));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(3).getCell(4).value).toBe('서울특별시 중구 세종대로 110, "시청" 별관 3층, 302호');
    expect(sheet.getRow(4).getCell(2).value).toBe('=HYPERLINK("x")');
  });

  it('writes CSV with a BOM, CRLF and RFC 4180 quoting that round-trips', async () => {
    const path = dir.file('parties.csv');
    const result = await writePartyListCsv(tricky, dir.stream('parties.csv'));
    const bytes = readFileSync(path);
    expect(result.bytes).toBe(bytes.length);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')).toHaveLength(tricky.length + 2); // header, rows, final empty
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain('2,"김 ""철수""",04524,"서울특별시 중구 세종대로 110, ""시청"" 별관 3층, 302호",200000\r\n');
    const records = parse(text);
    expect(records[0]).toEqual([...PARTY_LIST_HEADERS]);
    expect(records[1]).toEqual(['1', '홍길동', '06234', '서울특별시 강남구 테헤란로 123 101동 1203호', '300000']);
    expect(records[2]).toEqual([
      '2',
      '김 "철수"',
      '04524',
      '서울특별시 중구 세종대로 110, "시청" 별관 3층, 302호',
      '200000',
    ]);
    // formula injection guard: text starting with = + - @ gets an apostrophe
    expect(records[3]).toEqual(['3', `'=HYPERLINK("x")`, '01000', `'-1+1`, '0']);
  });

  it('streams a large CSV', async () => {
    const path = dir.file('large.csv');
    const result = await writePartyListCsv(syntheticRows(20_000), dir.stream('large.csv'));
    expect(result.rows).toBe(20_000);
    const records = parse(readFileSync(path, 'utf8').slice(1));
    expect(records).toHaveLength(20_001);
    expect(records[20_000][0]).toBe('20000');
  });

  it('quotes only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a"b')).toBe('"a""b"');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField(' lead')).toBe('" lead"');
    expect(csvField(12)).toBe('12');
  });
});
