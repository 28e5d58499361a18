/**
 * Input and output shapes of the pure filing renderers (no Nest, no database, no I/O besides the
 * output stream). All money is integer won (a non-negative safe integer); all dates are ISO
 * calendar dates `YYYY-MM-DD` (a court date has no time zone).
 */

/** One plaintiff as the annexes need it. `number` is the plaintiff's number in the filing (1, 2, …). */
export interface PlaintiffRow {
  number: number;
  name: string;
  postalCode: string;
  address1: string;
  address2?: string;
  amountKrw: number;
}

/** One piece of evidence; `label` is what the court sees, e.g. "개인정보 유출 통지 문자". */
export interface EvidenceItem {
  label: string;
}

/** One plaintiff's accepted evidence for the evidence list (rows in plaintiff order). */
export interface PlaintiffEvidenceRow {
  number: number;
  name: string;
  items: EvidenceItem[];
}

/** Which volume of a split annex a document is: `index` of `of`, both from 1. */
export interface VolumeInfo {
  index: number;
  of: number;
}

/** Options common to every PDF renderer. */
export interface PdfRenderOptions {
  /** Fixed creation date written into the PDF info (default: now); fix it for byte-identical output. */
  creationDate?: Date;
  /** Number printed on the first page (default 1). */
  firstPageNumber?: number;
}

/** Options of the annex lists (plaintiff list, claim table, evidence list). */
export interface ListRenderOptions extends PdfRenderOptions {
  /** Volume of a split annex; the title then ends with "(index/of)". Omitted or of = 1: no suffix. */
  volume?: VolumeInfo;
}

export interface PdfRenderResult {
  pages: number;
  bytes: number;
}

export interface ListRenderResult extends PdfRenderResult {
  /** Rows (plaintiffs) rendered. */
  rows: number;
}

export interface ClaimTableResult extends ListRenderResult {
  /** Sum of the amounts in this document. */
  totalKrw: number;
}

export interface EvidenceListResult extends ListRenderResult {
  /** Evidence numbers used: the next free 갑 제N호증 number after this document. */
  nextEvidenceNumber: number;
  /** Evidence lines rendered (case-level + per-plaintiff items). */
  items: number;
}

export interface CounselInfo {
  /** e.g. "법무법인 한빛" */
  firmName: string;
  address: string;
  phone: string;
  fax?: string;
  email?: string;
  /** Responsible attorneys (담당변호사), at least one. */
  attorneys: string[];
}

export interface DefendantInfo {
  /** e.g. "쿠팡 주식회사" */
  name: string;
  address: string;
  /** 대표이사 */
  representative: string;
}

export interface ComplaintInput {
  /** e.g. "서울중앙지방법원" — the addressee "<court> 귀중". */
  court: string;
  counsel: CounselInfo;
  defendant: DefendantInfo;
  /** 사건명, default "손해배상(기)". */
  caseName?: string;
  plaintiffCount: number;
  /** 소송목적의 값: the sum of every plaintiff's claim, integer won. */
  claimValueKrw: number;
  /** 인지액, integer won, as computed by the fee rules (paper or e-filing). */
  stampDutyKrw: number;
  /** Start of the 5% interest period in 청구취지, `YYYY-MM-DD`. */
  interestStartDate: string;
  /** Filing date printed above the signature, `YYYY-MM-DD`. */
  filingDate: string;
  /** 청구원인 as plain text: one paragraph per line, blank lines for spacing (see {@link fillTemplate}). */
  claimText: string;
  /** Case-level evidence, numbered 갑 제1호증, 갑 제2호증, … */
  caseEvidence: EvidenceItem[];
  /** When true, 입증방법 also refers to the per-plaintiff evidence in the 별지 입증방법 목록. */
  hasPlaintiffEvidence?: boolean;
  /** 첨부서류 lines; default {@link DEFAULT_ATTACHMENTS}. */
  attachments?: string[];
}
