/** One consent a claimant gives, with the four things PIPA requires stated separately. */
export interface ConsentText {
  key: string;
  required: boolean;
  title: string;
  purpose: string;
  items: string;
  retention: string;
  refusal: string;
  version: string;
}

/**
 * Default consent texts (Korean). Required consents are kept apart from optional ones; each has a
 * version, and the version and time of consent are stored with the claimant.
 */
export const DEFAULT_CONSENTS: readonly ConsentText[] = Object.freeze([
  {
    key: 'collectionAndUse',
    required: true,
    title: '[필수] 소송 수행을 위한 개인정보 수집·이용 동의',
    purpose: '쿠팡 개인정보 유출 사고에 관한 손해배상청구 공동소송의 원고 모집, 본인 확인, 소송 수행 및 진행 상황 안내',
    items: '성명, 생년월일, 휴대전화번호, 이메일, 주소, 유출 항목, 유출 통지 수신일, 2차 피해 내용 및 증빙자료',
    retention:
      '소송 종료(판결 확정 또는 화해·조정 성립) 후 3년까지 보관하며, 참여를 철회하면 법령상 보관 의무가 있는 정보를 제외하고 즉시 파기합니다.',
    refusal:
      '동의를 거부할 권리가 있습니다. 다만 이 동의는 소송 참여에 반드시 필요하므로, 거부하시면 원고로 참여하실 수 없습니다.',
    version: '2025-12-01',
  },
  {
    key: 'provisionForLitigation',
    required: true,
    title: '[필수] 법원 및 피고에 대한 개인정보 제공 동의',
    purpose:
      '소장, 원고 목록, 청구금액표 및 증거자료로서 관할 법원에 제출하고 소송 절차상 피고(쿠팡 주식회사)에게 송달',
    items: '성명, 주소, 청구금액, 증빙자료(제출하신 경우)',
    retention: '소송 기록으로서 법원의 기록 보존 기간 동안 보관되며, 당사 보관분은 소송 종료 후 3년까지 보관합니다.',
    refusal:
      '동의를 거부할 권리가 있습니다. 다만 법원 제출 없이는 소송을 제기할 수 없으므로, 거부하시면 원고로 참여하실 수 없습니다.',
    version: '2025-12-01',
  },
]);

export const REQUIRED_CONSENT_KEYS = DEFAULT_CONSENTS.filter((c) => c.required).map((c) => c.key);

export const DEFAULT_EVIDENCE_KINDS: readonly string[] = Object.freeze([
  'breach_notice',
  'account_proof',
  'secondary_harm',
  'other',
]);
