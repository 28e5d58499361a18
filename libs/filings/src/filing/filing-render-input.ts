import type { Defendant } from '@app/cases';
import type { CounselInfo } from '../render/types';

/**
 * What the complaint needs besides the plaintiffs, frozen when the filing is created (so a retry
 * after a crash renders the same papers even if the case or firm settings changed meanwhile).
 */
export interface FilingRenderInput {
  court: string;
  counsel: CounselInfo;
  defendant: Defendant;
  /** YYYY-MM-DD */
  interestStartDate: string;
  /** YYYY-MM-DD, Korea time, the day the filing was created. */
  filingDate: string;
  /** 청구원인, already filled in. */
  claimText: string;
  /** Case-level evidence labels (갑 제1호증, …). */
  caseEvidence: string[];
}
