import { statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { renderClaimTable } from './claim-table';
import { hangulFonts } from './pdf-layout';
import { renderPlaintiffList } from './plaintiff-list';
import { TempDir, syntheticRows } from './spec-helpers';
import { formatWon } from './won';

/**
 * Rough timing (printed, not asserted) of 10,000 plaintiffs (plaintiff list + claim table) against a
 * naive pdfkit script: `doc.text()` per cell with the same font, margins and 18 pt rows.
 */
const ROWS = 10_000;
const MM = 72 / 25.4;

async function naive(kind: 'list' | 'claims', path: string, dir: TempDir): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 45 * MM, left: 20 * MM, right: 20 * MM, bottom: 30 * MM },
  });
  const out = dir.stream(path);
  doc.pipe(out);
  doc.registerFont('KR', hangulFonts().regular);
  doc.font('KR').fontSize(12);
  const bottom = 841.89 - 30 * MM;
  let y = 45 * MM;
  let page = 1;
  doc.text(`- ${page} -`, 0, bottom + 30, { width: 595.28, align: 'center', lineBreak: false });
  for await (const row of syntheticRows(ROWS)) {
    if (y > bottom - 54) {
      doc.addPage();
      page += 1;
      doc.text(`- ${page} -`, 0, bottom + 30, { width: 595.28, align: 'center', lineBreak: false });
      y = 45 * MM;
    }
    doc.text(String(row.number), 20 * MM, y, { width: 56, align: 'right' });
    doc.text(row.name, 20 * MM + 68, y, { width: 92 });
    if (kind === 'list') {
      doc.text(`(${row.postalCode}) ${row.address1} ${row.address2 ?? ''}`, 20 * MM + 172, y, {
        width: 309,
        lineGap: 4.2,
      });
      y = Math.max(doc.y, y + 18) + 6;
    } else {
      doc.text(formatWon(row.amountKrw), 595.28 - 20 * MM - 160, y, { width: 160, align: 'right' });
      y += 24;
    }
  }
  doc.end();
  await finished(out);
}

describe('render timing (printed, not asserted)', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it(`renders ${ROWS.toLocaleString('en-US')} plaintiffs (list + claim table) vs a naive pdfkit loop`, async () => {
    hangulFonts(); // font read once per process, outside both timings
    const t0 = performance.now();
    const list = await renderPlaintiffList(syntheticRows(ROWS), {}, dir.stream('list.pdf'));
    const t1 = performance.now();
    const claims = await renderClaimTable(syntheticRows(ROWS), {}, dir.stream('claims.pdf'));
    const t2 = performance.now();
    await naive('list', 'naive-list.pdf', dir);
    const t3 = performance.now();
    await naive('claims', 'naive-claims.pdf', dir);
    const t4 = performance.now();
    expect(list.rows).toBe(ROWS);
    expect(claims.rows).toBe(ROWS);
    const ours = t2 - t0;
    const theirs = t4 - t2;
    const size = (name: string): string => `${(statSync(dir.file(name)).size / 1e6).toFixed(2)} MB`;
    process.stdout.write(
      `\n[filings render timing] ${ROWS} rows: ours ${ours.toFixed(0)} ms ` +
        `(list ${(t1 - t0).toFixed(0)} ms, ${list.pages} pages, ${size('list.pdf')}; ` +
        `claims ${(t2 - t1).toFixed(0)} ms, ${claims.pages} pages, ${size('claims.pdf')}) ` +
        `vs naive doc.text() ${theirs.toFixed(0)} ms (list ${(t3 - t2).toFixed(0)} ms, ${size('naive-list.pdf')}; ` +
        `claims ${(t4 - t3).toFixed(0)} ms, ${size('naive-claims.pdf')}) -> ratio ${(ours / theirs).toFixed(2)}; ` +
        `rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`,
    );
  });
});
