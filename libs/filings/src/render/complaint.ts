import type { Writable } from 'node:stream';
import {
  BODY,
  BODY_BOLD,
  CONTENT_LEFT,
  CONTENT_RIGHT,
  CONTENT_WIDTH,
  LINE_STEP,
  PdfWriter,
  cleanText,
  withPdfWriter,
  type TextStyle,
} from './pdf-layout';
import { caseEvidenceLabel } from './evidence-list';
import type { ComplaintInput, PdfRenderOptions, PdfRenderResult } from './types';
import { formatAmount, formatCourtDate, formatWon } from './won';

/** 첨부서류 when the input names none. */
export const DEFAULT_ATTACHMENTS: readonly string[] = [
  '위 입증방법 각 1통',
  '법인 등기사항증명서 1통',
  '소송위임장 1통',
  '납부서 1통',
];
export const DEFAULT_CASE_NAME = '손해배상(기)';
/** Civil Act art. 379 (until service of the complaint) and the Expedition Act art. 3 rate (after). */
export interface InterestRates {
  /** Percent per year from the start date until service of the complaint (default 5). */
  untilServicePercent: number;
  /** Percent per year from the day after service until payment (default 12). */
  afterServicePercent: number;
}
export const DEFAULT_INTEREST_RATES: Readonly<InterestRates> = { untilServicePercent: 5, afterServicePercent: 12 };

export interface ComplaintOptions extends PdfRenderOptions {
  /** Statutory interest rates printed in 청구취지 (percent per year); default {@link DEFAULT_INTEREST_RATES}. */
  interestRates?: InterestRates;
}

const TITLE: TextStyle = { size: 24, bold: true };
const HEADING: TextStyle = { size: 14, bold: true };
const LABEL_WIDTH = 130;
const VALUE_X = CONTENT_LEFT + LABEL_WIDTH;
const VALUE_WIDTH = CONTENT_RIGHT - VALUE_X;

function required(value: string | undefined, what: string): string {
  const text = cleanText(value ?? '');
  if (text.length === 0) throw new RangeError(`${what} is required`);
  return text;
}

function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer`);
}

/** The 청구취지 items (without the closing "라는 판결을 구합니다."). */
export function claimPrayer(
  interestStartDate: string,
  rates: Readonly<InterestRates> = DEFAULT_INTEREST_RATES,
): string[] {
  for (const rate of [rates.untilServicePercent, rates.afterServicePercent]) {
    if (!Number.isFinite(rate) || rate <= 0 || rate > 100) throw new RangeError(`interest rate out of range: ${rate}`);
  }
  const start = formatCourtDate(interestStartDate, 'interestStartDate');
  return [
    `피고는 원고들에게 별지 청구금액표 기재 각 금액 및 이에 대하여 ${start}부터 이 사건 소장 부본 송달일까지는 ` +
      `연 ${rates.untilServicePercent}%, 그 다음 날부터 다 갚는 날까지는 연 ${rates.afterServicePercent}%의 각 비율로 계산한 돈을 지급하라.`,
    '소송비용은 피고가 부담한다.',
    '제1항은 가집행할 수 있다.',
  ];
}

/** A label in the left column and wrapped value lines to its right. */
function labelled(w: PdfWriter, label: string, values: string[]): void {
  values.forEach((value, i) => {
    const lines = w.wrap(value, VALUE_WIDTH, BODY);
    lines.forEach((line, j) => {
      w.ensure(LINE_STEP);
      if (i === 0 && j === 0) w.text(label, CONTENT_LEFT, w.y, BODY);
      w.text(line, VALUE_X, w.y, BODY);
      w.y += LINE_STEP;
    });
  });
}

function heading(w: PdfWriter, text: string): void {
  w.y += LINE_STEP;
  w.ensure(LINE_STEP * 3); // never leave a heading alone at the bottom of a page
  w.text(text, CONTENT_LEFT + CONTENT_WIDTH / 2, w.y, HEADING, 'center');
  w.y += LINE_STEP + 10;
}

/** "1." + text with the text hanging under itself. */
function numbered(w: PdfWriter, marker: string, text: string, x = CONTENT_LEFT): void {
  const hanging = w.widthOf(`${marker} `, BODY);
  w.paragraph(`${marker} ${text}`, { x, hanging });
}

const MARKER = /^((?:\d+|[가-힣])\.|\(\d+\)|\([가-힣]\)|[-·•※])\s+/;
const HEADING_LINE = /^\d+\.\s+\S.{0,38}$/;

/** Renders 청구원인 text: see the layout rules at DEFAULT_CLAIM_TEXT_TEMPLATE. */
function claimBody(w: PdfWriter, text: string): void {
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const leading = raw.length - raw.trimStart().length;
    const line = cleanText(raw);
    if (line.length === 0) {
      w.y += LINE_STEP / 2;
      continue;
    }
    const x = CONTENT_LEFT + Math.min(leading, 12) * (BODY.size / 2);
    if (HEADING_LINE.test(line) && !line.endsWith('.') && leading === 0) {
      w.ensure(LINE_STEP * 2);
      w.paragraph(line, { x, style: BODY_BOLD });
      continue;
    }
    const marker = MARKER.exec(line);
    if (marker) {
      w.paragraph(line, { x, hanging: w.widthOf(marker[0], BODY) });
    } else {
      w.paragraph(line, { x, indent: BODY.size });
    }
  }
}

/**
 * 소장 in the order of domain.md §3: title, parties (원고 by reference to the 별지 원고 목록, 소송대리인,
 * 피고), 사건명, 소송목적의 값, 인지액, 청구취지, 청구원인, 입증방법, 첨부서류, date, signature and
 * addressee. Ends `out` when done.
 */
export async function renderComplaint(
  input: ComplaintInput,
  out: Writable,
  options: ComplaintOptions = {},
): Promise<PdfRenderResult> {
  // Validate everything before the first byte goes out.
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(input, options);
  } catch (err) {
    out.destroy(); // without the error: the caller gets it from the rejected promise
    throw err;
  }
  const p = prepared;
  return withPdfWriter(
    out,
    { title: '소장', creationDate: options.creationDate, firstPageNumber: options.firstPageNumber },
    (w) => {
      w.newPage();
      w.text('소   장', CONTENT_LEFT + CONTENT_WIDTH / 2, w.y, TITLE, 'center');
      w.y += 60;

      labelled(w, '원고', ['별지 원고 목록 기재와 같음', `(원고 ${formatAmount(input.plaintiffCount)}명)`]);
      w.y += LINE_STEP / 2;
      labelled(w, '원고들 소송대리인', p.counselLines);
      w.y += LINE_STEP / 2;
      labelled(w, '피고', p.defendantLines);
      w.y += LINE_STEP;
      labelled(w, '사건명', [p.caseName]);
      labelled(w, '소송목적의 값', [formatWon(input.claimValueKrw, 'claimValueKrw')]);
      labelled(w, '인지액', [formatWon(input.stampDutyKrw, 'stampDutyKrw')]);

      heading(w, '청 구 취 지');
      p.prayer.forEach((item, i) => numbered(w, `${i + 1}.`, item));
      w.y += LINE_STEP / 2;
      w.line('라는 판결을 구합니다.', CONTENT_LEFT);

      heading(w, '청 구 원 인');
      claimBody(w, input.claimText);

      heading(w, '입 증 방 법');
      if (p.evidence.length === 0) w.line('해당 없음', CONTENT_LEFT);
      p.evidence.forEach((line, i) => numbered(w, `${i + 1}.`, line));

      heading(w, '첨 부 서 류');
      p.attachments.forEach((line, i) => numbered(w, `${i + 1}.`, line));

      // date, signature and addressee stay together on one page
      const signature = [`원고들 소송대리인 ${p.firmName}`, ...p.attorneys.map((a) => `담당변호사 ${a} (인)`)];
      const signX = CONTENT_LEFT + CONTENT_WIDTH * 0.4;
      w.y += LINE_STEP;
      w.ensure(LINE_STEP * (signature.length + 6));
      w.line(p.filingDate, CONTENT_LEFT + CONTENT_WIDTH / 2, BODY, 'center');
      w.y += LINE_STEP;
      for (const line of signature) w.line(w.ellipsize(line, CONTENT_RIGHT - signX, BODY), signX);
      w.y += LINE_STEP * 2;
      w.line(`${p.court} 귀중`, CONTENT_LEFT, HEADING, 'left', LINE_STEP * 1.5);
      return {};
    },
  );
}

function prepare(input: ComplaintInput, options: ComplaintOptions) {
  const court = required(input.court, 'court');
  const firmName = required(input.counsel?.firmName, 'counsel.firmName');
  const attorneys = (input.counsel?.attorneys ?? []).map((a) => cleanText(a)).filter((a) => a.length > 0);
  if (attorneys.length === 0) throw new RangeError('counsel.attorneys needs at least one attorney');
  const counselLines = [firmName, required(input.counsel.address, 'counsel.address')];
  const contact = [`전화 ${required(input.counsel.phone, 'counsel.phone')}`];
  if (input.counsel.fax) contact.push(`팩스 ${cleanText(input.counsel.fax)}`);
  counselLines.push(contact.join(', '));
  if (input.counsel.email) counselLines.push(`이메일 ${cleanText(input.counsel.email)}`);
  counselLines.push(`담당변호사 ${attorneys.join(', ')}`);

  const defendantLines = [
    required(input.defendant?.name, 'defendant.name'),
    required(input.defendant?.address, 'defendant.address'),
    `대표이사 ${required(input.defendant?.representative, 'defendant.representative')}`,
  ];
  checkCount(input.plaintiffCount, 'plaintiffCount');
  formatAmount(input.claimValueKrw, 'claimValueKrw');
  formatAmount(input.stampDutyKrw, 'stampDutyKrw');

  const evidence = input.caseEvidence.map((item, i) => `${caseEvidenceLabel(i + 1)}  ${cleanText(item.label)}`);
  if (input.hasPlaintiffEvidence) {
    evidence.push(
      `${caseEvidenceLabel(input.caseEvidence.length + 1)} 이하 원고별 증거  별지 입증방법 목록 기재와 같음`,
    );
  }
  const attachments = (input.attachments ?? DEFAULT_ATTACHMENTS).map((a) => cleanText(a)).filter((a) => a.length > 0);
  if (typeof input.claimText !== 'string' || input.claimText.trim().length === 0) {
    throw new RangeError('claimText is required');
  }
  return {
    court,
    firmName,
    attorneys,
    counselLines,
    defendantLines,
    caseName: cleanText(input.caseName ?? '') || DEFAULT_CASE_NAME,
    prayer: claimPrayer(input.interestStartDate, options.interestRates ?? DEFAULT_INTEREST_RATES),
    filingDate: formatCourtDate(input.filingDate, 'filingDate'),
    evidence,
    attachments,
  };
}
