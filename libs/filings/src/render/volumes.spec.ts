import { statSync } from 'node:fs';
import { TempDir, courtLayoutProblems, pdfinfo, pdftotext, squeeze, syntheticRow, syntheticRows } from './spec-helpers';
import type { PlaintiffEvidenceRow } from './types';
import { DEFAULT_MAX_VOLUME_ROWS, planVolumes, renderVolumes } from './volumes';

describe('volumes', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it('plans balanced volumes from the row limit and the byte budget', () => {
    expect(planVolumes('plaintiff-list', 12_000)).toMatchObject({ volumes: 3, rowsPerVolume: 4_000, rowLimit: 5_000 });
    expect(planVolumes('plaintiff-list', 5_000)).toMatchObject({ volumes: 1, rowsPerVolume: 5_000 });
    expect(planVolumes('plaintiff-list', 5_001)).toMatchObject({ volumes: 2, rowsPerVolume: 2_501 });
    expect(planVolumes('claim-table', 0)).toMatchObject({ volumes: 1, rowsPerVolume: 0 });
    expect(planVolumes('plaintiff-list', 1_000_000).volumes).toBe(1_000_000 / DEFAULT_MAX_VOLUME_ROWS);
    // the byte budget binds: (1.6 MB - 1.5 MB) / 200 = 500 rows
    expect(planVolumes('plaintiff-list', 1_200, { maxBytes: 1_600_000 })).toMatchObject({
      volumes: 3,
      rowsPerVolume: 400,
      rowLimit: 500,
    });
    expect(() => planVolumes('plaintiff-list', 10, { maxBytes: 1_000_000 })).toThrow(/no room/);
    expect(() => planVolumes('plaintiff-list', -1)).toThrow(RangeError);
  });

  it('splits a plaintiff list into volumes titled (i/n), each numbered from page 1', async () => {
    const opened: string[] = [];
    const result = await renderVolumes(
      'plaintiff-list',
      syntheticRows(250),
      { totalRows: 250, maxRows: 100 },
      (i, n) => {
        opened.push(`${i}/${n}`);
        return dir.stream(`pl-${i}.pdf`);
      },
    );
    expect(opened).toEqual(['1/3', '2/3', '3/3']);
    expect(result.rows).toBe(250);
    expect(result.volumes.map((v) => v.rows)).toEqual([84, 84, 82]);
    for (const v of result.volumes) {
      const path = dir.file(`pl-${v.volume}.pdf`);
      expect(pdfinfo(path).pages).toBe(v.pages);
      expect(statSync(path).size).toBe(v.bytes);
      expect(v.withinByteLimit).toBe(true);
      const first = squeeze(pdftotext(path, 1));
      expect(first).toContain(`별지 원고 목록 (${v.volume}/3)`);
      expect(first).toMatch(/-\s*1\s*-\s*$/);
      expect(courtLayoutProblems(path)).toEqual([]);
    }
    const third = squeeze(pdftotext(dir.file('pl-3.pdf')));
    expect(third).toContain(`169 ${syntheticRow(169).name}`);
    expect(third).toContain(`250 ${syntheticRow(250).name}`);
    expect(third).not.toContain(`168 ${syntheticRow(168).name}`);
  });

  it('ends every claim-table volume with its 소계 and the last with the 합계 of all', async () => {
    const total = Array.from({ length: 50 }, (_, i) => syntheticRow(i + 1).amountKrw).reduce((a, b) => a + b, 0);
    const result = await renderVolumes('claim-table', syntheticRows(50), { totalRows: 50, maxRows: 20 }, (i) =>
      dir.stream(`ct-${i}.pdf`),
    );
    expect(result.totalKrw).toBe(total);
    expect(result.volumes.map((v) => v.rows)).toEqual([17, 17, 16]);
    const texts = result.volumes.map((v) => squeeze(pdftotext(dir.file(`ct-${v.volume}.pdf`))));
    expect(texts[0]).toContain('별지 청구금액표 (1/3)');
    expect(texts[0]).toContain('소계 (이 권 17명)');
    expect(texts[0]).not.toContain('합계');
    expect(texts[2]).toContain('소계 (이 권 16명)');
    expect(texts[2]).toContain(`합계 (원고 50명) ${total.toLocaleString('en-US')}원`);
  });

  it('continues evidence numbers across volumes', async () => {
    const rows: PlaintiffEvidenceRow[] = Array.from({ length: 6 }, (_, i) => ({
      number: i + 1,
      name: `원고${i + 1}`,
      items: i === 1 ? [] : [{ label: `증거${i + 1}` }],
    }));
    const result = await renderVolumes(
      'evidence-list',
      rows,
      { totalRows: 6, maxRows: 3, caseEvidence: [{ label: '공지문' }] },
      (i) => dir.stream(`ev-${i}.pdf`),
    );
    expect(result.nextEvidenceNumber).toBe(7);
    const v1 = squeeze(pdftotext(dir.file('ev-1.pdf')));
    const v2 = squeeze(pdftotext(dir.file('ev-2.pdf')));
    expect(v1).toContain('갑 제1호증 공지문');
    expect(v1).toContain('갑 제3호증의 1 증거3');
    expect(v2).not.toContain('공지문');
    expect(v2).toContain('갑 제4호증의 1 증거4');
    expect(v2).toContain('갑 제6호증의 1 증거6');
  });

  it('keeps each volume under a small byte budget', async () => {
    const maxBytes = 400_000;
    const result = await renderVolumes(
      'plaintiff-list',
      syntheticRows(1_200),
      { totalRows: 1_200, maxBytes, fixedBytes: 300_000 },
      (i) => dir.stream(`budget-${i}.pdf`),
    );
    expect(result.plan.rowLimit).toBe(500);
    expect(result.volumes).toHaveLength(3);
    for (const v of result.volumes) {
      expect(v.withinByteLimit).toBe(true);
      expect(statSync(dir.file(`budget-${v.volume}.pdf`)).size).toBeLessThanOrEqual(maxBytes);
    }
  });

  it('rejects when the rows do not match totalRows and closes the source', async () => {
    let closed = false;
    function* rows(n: number): Generator<ReturnType<typeof syntheticRow>> {
      try {
        for (let i = 1; i <= n; i++) yield syntheticRow(i);
      } finally {
        closed = true;
      }
    }
    await expect(
      renderVolumes('plaintiff-list', rows(30), { totalRows: 20, maxRows: 10 }, (i) => dir.stream(`more-${i}.pdf`)),
    ).rejects.toThrow(/more rows/);
    expect(closed).toBe(true);
    await expect(
      renderVolumes('plaintiff-list', rows(12), { totalRows: 20, maxRows: 10 }, (i) => dir.stream(`fewer-${i}.pdf`)),
    ).rejects.toThrow(/ended after 12/);
  });
});
