import { Readable } from 'node:stream';
import { validateIntake } from '../intake/intake-validator';
import {
  CsvReadError,
  IMPORT_COLUMNS,
  checkHeader,
  columnOf,
  readCsvRecords,
  recordToIntakeBody,
  type CsvRecord,
} from './import-csv';

async function records(text: string, chunk = 5): Promise<CsvRecord[]> {
  const buf = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  const out: CsvRecord[] = [];
  for await (const batch of readCsvRecords(Readable.from(parts))) out.push(...batch);
  return out;
}

describe('import CSV reading', () => {
  it('reads a BOM, quoted commas, quotes and line breaks, CRLF, and gives each record its first line', async () => {
    const text = '\ufeffa,b\r\n1,"x, y"\r\n"multi\r\nline","say ""hi"""\r\n\r\n3,4';
    const got = await records(text);
    expect(got.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', 'x, y']],
      [3, ['multi\r\nline', 'say "hi"']],
      [6, ['3', '4']],
    ]);
  });

  it('yields every record before broken quoting, then says where it broke (no content echoed)', async () => {
    const seen: CsvRecord[] = [];
    let failure: unknown;
    try {
      for await (const batch of readCsvRecords(Readable.from([Buffer.from('a,b\n1,2\n"홍길동,3\n4,5\n')]))) {
        seen.push(...batch);
      }
    } catch (e) {
      failure = e;
    }
    expect(seen.map((r) => r.line)).toEqual([1, 2]);
    expect(failure).toBeInstanceOf(CsvReadError);
    expect((failure as CsvReadError).line).toBe(3);
    expect((failure as CsvReadError).message).not.toContain('홍길동');
  });

  it('checks the header: any order, every column once, nothing else', () => {
    expect(checkHeader([...IMPORT_COLUMNS].reverse().map((c) => ` ${c.toUpperCase()} `)).ok).toBe(true);
    const missing = checkHeader(['홍길동', '1985-03-14']);
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.message).toContain(IMPORT_COLUMNS.join(','));
      expect(missing.message).not.toContain('홍길동');
    }
    expect(checkHeader([...IMPORT_COLUMNS, 'extra']).ok).toBe(false);
    expect(checkHeader([...IMPORT_COLUMNS, 'name']).ok).toBe(false);
  });

  it('maps a row onto the public form body and names problems by CSV column', () => {
    const header = checkHeader([...IMPORT_COLUMNS]);
    if (!header.ok) throw new Error('header');
    const body = recordToIntakeBody(
      [
        ' 홍길동 ',
        '1985-03-14',
        '010-1234-5678',
        'A@Example.kr',
        '1234',
        '서울특별시 강남구\n테헤란로 1',
        '',
        'name; phone;',
        '',
      ],
      header.index,
    );
    expect(body).toMatchObject({
      address: { postalCode: '1234', line1: '서울특별시 강남구 테헤란로 1', line2: '' },
      exposedData: ['name', 'phone'],
      noticeReceivedOn: null,
    });
    const checked = validateIntake(body, { requiredConsents: [], today: '2025-12-20' });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors.map(columnOf)).toEqual(['postal_code']);
  });
});
