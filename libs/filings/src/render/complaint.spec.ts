import { PassThrough } from 'node:stream';
import { defaultClaimText } from './claim-text';
import { claimPrayer, renderComplaint } from './complaint';
import { TempDir, courtLayoutProblems, pdffonts, pdfinfo, pdftotext, squeeze } from './spec-helpers';
import type { ComplaintInput } from './types';

function input(overrides: Partial<ComplaintInput> = {}): ComplaintInput {
  return {
    court: '서울중앙지방법원',
    counsel: {
      firmName: '법무법인 한빛',
      address: '서울특별시 서초구 서초대로 100, 5층',
      phone: '02-123-4567',
      fax: '02-123-4568',
      attorneys: ['김정의', '이공정'],
    },
    defendant: { name: '쿠팡 주식회사', address: '서울특별시 송파구 송파대로 570', representative: '박대준' },
    plaintiffCount: 1998,
    claimValueKrw: 599_400_000,
    stampDutyKrw: 2_452_600,
    interestStartDate: '2025-11-29',
    filingDate: '2026-11-21',
    claimText: defaultClaimText({ defendant: '쿠팡 주식회사', plaintiffCount: 1998 }),
    caseEvidence: [{ label: '개인정보 유출 사실 공지문' }, { label: '언론 보도 기사' }],
    hasPlaintiffEvidence: true,
    ...overrides,
  };
}

describe('renderComplaint', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it('renders an A4 소장 with the parties, fees, prayer, evidence, date, signature and court', async () => {
    const path = dir.file('complaint.pdf');
    const result = await renderComplaint(input(), dir.stream('complaint.pdf'), {
      creationDate: new Date('2026-11-20T00:00:00Z'),
    });
    const info = pdfinfo(path);
    expect(info.width).toBeCloseTo(595.28, 1);
    expect(info.height).toBeCloseTo(841.89, 1);
    expect(info.pages).toBe(result.pages);
    expect(result.pages).toBeGreaterThanOrEqual(2);
    expect(result.bytes).toBeGreaterThan(10_000);

    const fonts = pdffonts(path);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(font.name).toMatch(/^[A-Z]{6}\+NanumGothic/);
      expect(font).toMatchObject({ emb: true, sub: true, uni: true });
    }

    const text = squeeze(pdftotext(path));
    const flat = text.replace(/\s+/g, '');
    // the order of domain.md §3
    const order = [
      '소 장',
      '별지 원고 목록 기재와 같음',
      '원고들 소송대리인',
      '법무법인 한빛',
      '쿠팡 주식회사',
      '대표이사 박대준',
      '손해배상(기)',
      '599,400,000원',
      '2,452,600원',
      '청 구 취 지',
      '청 구 원 인',
      '입 증 방 법',
      '첨 부 서 류',
      '2026. 11. 21.',
      '담당변호사 김정의 (인)',
      '서울중앙지방법원 귀중',
    ];
    expect(text).toContain('소 장');
    let at = -1;
    for (const needle of order.map((n) => n.replace(/\s+/g, ''))) {
      const found = flat.indexOf(needle, at + 1);
      expect({ needle, found: found > at }).toEqual({ needle, found: true });
      at = found;
    }
    expect(flat).toContain(
      '피고는원고들에게별지청구금액표기재각금액및이에대하여2025.11.29.부터이사건소장부본송달일까지는연5%,그다음날부터다갚는날까지는연12%의각비율로계산한돈을지급하라.',
    );
    expect(flat).toContain('소송비용은피고가부담한다.');
    expect(flat).toContain('제1항은가집행할수있다.');
    expect(text).toContain('갑 제1호증');
    expect(text).toContain('갑 제2호증');
    expect(text).toContain('갑 제3호증 이하');
    expect(flat).toContain('개인정보보호법제39조의2');
    expect(flat).toContain('3,370만');
    for (let page = 1; page <= info.pages; page++) {
      expect(pdftotext(path, page)).toMatch(new RegExp(`-\\s*${page}\\s*-\\s*$`));
    }
    expect(courtLayoutProblems(path)).toEqual([]);
  });

  it('writes a long 청구원인 over several pages, every page numbered and within the margins', async () => {
    const long = Array.from({ length: 12 }, () => input().claimText).join('\n\n');
    const path = dir.file('long.pdf');
    const result = await renderComplaint(input({ claimText: long, court: '서울동부지방법원' }), dir.stream('long.pdf'));
    expect(result.pages).toBeGreaterThan(8);
    expect(pdfinfo(path).pages).toBe(result.pages);
    expect(pdftotext(path, result.pages)).toContain('서울동부지방법원 귀중');
    expect(courtLayoutProblems(path)).toEqual([]);
  });

  it('rejects incomplete input before writing and destroys the output', async () => {
    const out = new PassThrough();
    await expect(renderComplaint(input({ counsel: { ...input().counsel, attorneys: [] } }), out)).rejects.toThrow(
      /attorney/,
    );
    expect(out.destroyed).toBe(true);
    await expect(renderComplaint(input({ filingDate: '2026-02-30' }), new PassThrough())).rejects.toThrow(/filingDate/);
    await expect(renderComplaint(input({ stampDutyKrw: 1.5 }), new PassThrough())).rejects.toThrow(/stampDutyKrw/);
  });

  it('words the prayer with the given start date and rates', () => {
    expect(claimPrayer('2025-12-07', { untilServicePercent: 5, afterServicePercent: 12 })[0]).toContain(
      '2025. 12. 7.부터 이 사건 소장 부본 송달일까지는 연 5%, 그 다음 날부터 다 갚는 날까지는 연 12%',
    );
    expect(() => claimPrayer('2025-12-07', { untilServicePercent: 0, afterServicePercent: 12 })).toThrow(RangeError);
  });
});
