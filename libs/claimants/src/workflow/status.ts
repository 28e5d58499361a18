import { DomainError } from '@app/platform';

export const CLAIMANT_STATUSES = [
  'submitted',
  'under_review',
  'approved',
  'needs_info',
  'rejected',
  'filed',
  'withdrawn',
] as const;
export type ClaimantStatus = (typeof CLAIMANT_STATUSES)[number];

/**
 * The allowed moves, in one table. `filed` is reached only through a filing (never by hand);
 * any state but `filed` may become `withdrawn`.
 */
export const TRANSITIONS: Readonly<Record<ClaimantStatus, readonly ClaimantStatus[]>> = Object.freeze({
  submitted: ['under_review', 'withdrawn'],
  under_review: ['approved', 'needs_info', 'rejected', 'withdrawn'],
  needs_info: ['under_review', 'withdrawn'],
  approved: ['filed', 'withdrawn'],
  rejected: ['withdrawn'],
  filed: [],
  withdrawn: [],
});

/** Moves only a filing may make. */
export const FILING_ONLY: readonly ClaimantStatus[] = ['filed'];

export function isClaimantStatus(v: unknown): v is ClaimantStatus {
  return typeof v === 'string' && (CLAIMANT_STATUSES as readonly string[]).includes(v);
}

export function assertTransition(from: ClaimantStatus, to: ClaimantStatus, via: 'staff' | 'filing' | 'claimant'): void {
  const allowed = TRANSITIONS[from].includes(to) && (via === 'filing' || !FILING_ONLY.includes(to));
  if (!allowed) {
    throw new DomainError(
      'INVALID_TRANSITION',
      `A claimant cannot move from ${from} to ${to}${via === 'staff' && to === 'filed' ? ' except through a filing' : ''}`,
    );
  }
}

/** What a claimant sees, in plain Korean. */
export const STATUS_LABEL_KO: Readonly<Record<ClaimantStatus, string>> = Object.freeze({
  submitted: '접수되었습니다. 담당자가 곧 검토합니다.',
  under_review: '담당자가 제출하신 내용과 증빙을 검토하고 있습니다.',
  approved: '검토가 끝나 소송 참여가 확정되었습니다. 다음 차수 소장 제출 때 원고로 포함됩니다.',
  needs_info: '추가 자료가 필요합니다. 안내에 따라 증빙을 보완해 주세요.',
  rejected: '아쉽게도 이번 소송의 원고 요건을 충족하지 않아 참여가 어렵습니다.',
  filed: '법원에 소장이 제출되었습니다. 원고로 소송이 진행 중입니다.',
  withdrawn: '참여를 철회하셨습니다. 보관 의무가 있는 정보를 제외한 개인정보는 파기되었습니다.',
});
