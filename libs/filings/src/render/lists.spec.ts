import { Writable } from 'node:stream';
import { renderClaimTable } from './claim-table';
import { renderPlaintiffList } from './plaintiff-list';
import {
  TempDir,
  courtLayoutProblems,
  pdffonts,
  pdfinfo,
  pdftotext,
  pdfWords,
  squeeze,
  syntheticRow,
  syntheticRows,
} from './spec-helpers';
import type { PlaintiffRow } from './types';

const special: PlaintiffRow[] = [
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
    name: '김 "철수", 주니어',
    postalCode: '48058',
    address1: '부산광역시 해운대구 센텀중앙로 79, "센텀 (A)동"',
    address2: '\\ 2층 (우동) \n 뒤쪽',
    amountKrw: 200_000,
  },
  {
    number: 3,
    name: 'ALEXANDER MAXIMILIAN MÜLLER-LÜDENSCHEIDT',
    postalCode: '63309',
    address1: '제주특별자치도 제주시 첨단로 242 '.repeat(12),
    amountKrw: 100_000,
  },
  // decomposed Hangul (NFD), as some keyboards send it
  {
    number: 4,
    name: '이순신'.normalize('NFD'),
    postalCode: '01000',
    address1: '서울특별시 강북구 삼양로',
    amountKrw: 3_000_000,
  },
];

describe('plaintiff list and claim table', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it('lists plaintiffs with number, name and address on numbered A4 pages within the margins', async () => {
    const path = dir.file('list.pdf');
    const result = await renderPlaintiffList(syntheticRows(300), {}, dir.stream('list.pdf'));
    expect(result.rows).toBe(300);
    const info = pdfinfo(path);
    expect([info.width, info.height]).toEqual([595.28, 841.89]);
    expect(info.pages).toBe(result.pages);
    expect(result.pages).toBeGreaterThan(10);
    expect(pdffonts(path).every((f) => f.emb && f.sub && f.uni)).toBe(true);
    const text = squeeze(pdftotext(path));
    expect(text).toContain('별지 원고 목록');
    expect(text).not.toContain('(1/');
    for (const n of [1, 150, 300]) {
      const row = syntheticRow(n);
      expect(text).toContain(`${n} ${row.name}`);
      expect(text).toContain(`(${row.postalCode})`);
    }
    expect(courtLayoutProblems(path)).toEqual([]);
    // headings on every page
    for (const page of [1, 2, info.pages]) expect(pdftotext(path, page)).toMatch(/번호\s+성명\s+주소/);
  });

  it('keeps quotes, commas, backslashes and NFD Hangul as text and wraps or cuts long values inside the column', async () => {
    const path = dir.file('special.pdf');
    await renderPlaintiffList(special, {}, dir.stream('special.pdf'));
    const text = squeeze(pdftotext(path));
    const flat = text.replace(/\s+/g, '');
    expect(text).toContain('홍길동');
    expect(flat).toContain('김"철수",주니어');
    expect(flat).toContain('(48058)부산광역시해운대구센텀중앙로79,"센텀(A)동"\\2층(우동)뒤쪽');
    expect(text).toContain('이순신'); // NFC again
    expect(flat).toContain('…'); // the 12x repeated address is cut after 5 lines
    expect(courtLayoutProblems(path)).toEqual([]);
    const words = pdfWords(path);
    const longAddress = words.filter((w) => w.text.includes('첨단로'));
    expect(new Set(longAddress.map((w) => w.yMin)).size).toBe(5);
  });

  it('writes a claim table with right-aligned amounts and the 합계', async () => {
    const path = dir.file('claims.pdf');
    const rows = Array.from({ length: 120 }, (_, i) => syntheticRow(i + 1));
    const expected = rows.reduce((sum, r) => sum + r.amountKrw, 0);
    const result = await renderClaimTable(rows, {}, dir.stream('claims.pdf'));
    expect(result).toMatchObject({ rows: 120, totalKrw: expected });
    expect(pdfinfo(path).pages).toBe(result.pages);
    const last = squeeze(pdftotext(path, result.pages));
    expect(last).toContain(`합계 (원고 120명) ${expected.toLocaleString('en-US')}원`);
    const text = squeeze(pdftotext(path));
    expect(text).toContain('별지 청구금액표');
    expect(text).toContain(`1 ${rows[0].name} ${rows[0].amountKrw.toLocaleString('en-US')}원`);
    expect(courtLayoutProblems(path)).toEqual([]);
    const amounts = pdfWords(path).filter((w) => /^[\d,]+원$/.test(w.text));
    const rightEdges = new Set(amounts.map((w) => Math.round(w.xMax)));
    expect(rightEdges.size).toBe(1);
  });

  it('renders an empty list as one page with its title and a zero total', async () => {
    const path = dir.file('empty.pdf');
    const result = await renderClaimTable([], {}, dir.stream('empty.pdf'));
    expect(result).toMatchObject({ pages: 1, rows: 0, totalKrw: 0 });
    expect(squeeze(pdftotext(path))).toContain('합계 (원고 0명) 0원');
  });

  it('rejects a bad row, destroys the output and stops reading', async () => {
    let pulled = 0;
    function* rows(): Generator<PlaintiffRow> {
      for (let i = 1; i <= 100; i++) {
        pulled = i;
        yield i === 5 ? { ...syntheticRow(i), amountKrw: 10.5 } : syntheticRow(i);
      }
    }
    const out = dir.stream('bad.pdf');
    await expect(renderClaimTable(rows(), {}, out)).rejects.toThrow(/plaintiff 5: amountKrw/);
    expect(out.destroyed).toBe(true);
    expect(pulled).toBe(5);
  });

  it('waits for a slow consumer (backpressure) and still produces the whole document', async () => {
    const chunks: Buffer[] = [];
    let waits = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, callback) {
        chunks.push(chunk);
        waits += 1;
        setTimeout(callback, 1);
      },
    });
    const result = await renderPlaintiffList(syntheticRows(2_000), {}, slow);
    const bytes = Buffer.concat(chunks);
    expect(bytes.length).toBe(result.bytes);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.subarray(-6).toString()).toContain('%%EOF');
    expect(waits).toBeGreaterThan(10);
  });
});
