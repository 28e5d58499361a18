import { caseEvidenceLabel, plaintiffEvidenceLabel, renderEvidenceList } from './evidence-list';
import { TempDir, courtLayoutProblems, pdfinfo, pdftotext, squeeze } from './spec-helpers';
import type { PlaintiffEvidenceRow } from './types';

describe('renderEvidenceList', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  const caseEvidence = [{ label: '개인정보 유출 사실 공지문' }, { label: '언론 보도 기사' }];

  it('numbers case evidence 갑 제1호증…, then one N per plaintiff with evidence and items 의 1, 2, …', async () => {
    const rows: PlaintiffEvidenceRow[] = [
      { number: 1, name: '홍길동', items: [{ label: '유출 통지 문자 캡처' }, { label: '쿠팡 계정 화면' }] },
      { number: 2, name: '김철수', items: [] },
      { number: 3, name: '이영희', items: [{ label: '스미싱 문자 캡처' }] },
    ];
    const path = dir.file('evidence.pdf');
    const result = await renderEvidenceList({ caseEvidence }, rows, {}, dir.stream('evidence.pdf'));
    expect(result).toMatchObject({ rows: 3, items: 5, nextEvidenceNumber: 5 });
    const text = squeeze(pdftotext(path));
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(lines).toEqual([
      '별지 입증방법 목록',
      '호증 표목',
      '갑 제1호증 개인정보 유출 사실 공지문',
      '갑 제2호증 언론 보도 기사',
      '원고 1번 홍길동',
      '갑 제3호증의 1 유출 통지 문자 캡처',
      '갑 제3호증의 2 쿠팡 계정 화면',
      '원고 3번 이영희',
      '갑 제4호증의 1 스미싱 문자 캡처',
      expect.stringMatching(/^-\s*1\s*-$/),
    ]);
  });

  it('continues numbering in a later volume without repeating the case evidence', async () => {
    const path = dir.file('evidence-2.pdf');
    const rows = [{ number: 40, name: '박민수', items: [{ label: '보이스피싱 피해 신고서' }] }];
    const result = await renderEvidenceList(
      { caseEvidence },
      rows,
      { volume: { index: 2, of: 2 }, firstPlaintiffEvidenceNumber: 17 },
      dir.stream('evidence-2.pdf'),
    );
    expect(result.nextEvidenceNumber).toBe(18);
    const text = squeeze(pdftotext(path));
    expect(text).toContain('별지 입증방법 목록 (2/2)');
    expect(text).toContain('갑 제17호증의 1 보이스피싱 피해 신고서');
    expect(text).not.toContain('갑 제1호증');
  });

  it('keeps many plaintiffs on numbered pages within the court format', async () => {
    function* rows(): Generator<PlaintiffEvidenceRow> {
      for (let i = 1; i <= 400; i++) {
        yield {
          number: i,
          name: `원고${i}`,
          items: Array.from({ length: i % 4 }, (_, k) => ({ label: `증거 ${k + 1}` })),
        };
      }
    }
    const path = dir.file('evidence-many.pdf');
    const result = await renderEvidenceList({ caseEvidence }, rows(), {}, dir.stream('evidence-many.pdf'));
    expect(result.rows).toBe(400);
    expect(result.nextEvidenceNumber).toBe(3 + 300); // 300 of 400 have evidence
    expect(pdfinfo(path).pages).toBe(result.pages);
    expect(squeeze(pdftotext(path))).toContain('갑 제302호증의 3 증거 3');
    expect(courtLayoutProblems(path)).toEqual([]);
  });

  it('labels', () => {
    expect(caseEvidenceLabel(1)).toBe('갑 제1호증');
    expect(plaintiffEvidenceLabel(12, 3)).toBe('갑 제12호증의 3');
  });
});
