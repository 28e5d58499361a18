import { formatAmount } from './won';

/**
 * 청구원인 of the complaint as a text template. Placeholders are `{{name}}`; {@link fillTemplate}
 * replaces them. The default text below covers the 2025 Coupang breach; firms edit it per case.
 *
 * Layout rules the complaint renderer applies to the filled text (plain text, one paragraph per line):
 * - a blank line adds space;
 * - a line starting with a marker ("1.", "가.", "(1)", "-", "·") gets a hanging indent under its text;
 *   leading spaces indent it further (half a character each);
 * - a short line "1. 제목" (a number, a title under 40 characters, no final period) is a bold heading;
 * - any other line is a paragraph with a one-character first-line indent.
 */
export const DEFAULT_CLAIM_TEXT_TEMPLATE = `1. 당사자들의 지위
가. 원고들 {{plaintiffCount}}명은 피고가 운영하는 온라인 쇼핑몰 '쿠팡'에 회원으로 가입하여 피고에게 자신의 개인정보를 제공한 정보주체들입니다.
나. 피고 {{defendant}}는 위 쇼핑몰을 운영하면서 회원들의 개인정보를 처리하는 개인정보처리자입니다.

2. 개인정보 유출 사고의 발생
가. 피고는 {{disclosureDate}} 고객 계정 {{affectedAccounts}}개의 개인정보가 유출되었다고 발표하였습니다. 유출은 {{breachPeriod}} 해외 서버를 통하여 이루어졌고, 유출된 정보는 이름, 이메일 주소, 전화번호, 배송지 주소록(수령인 이름, 전화번호, 주소, 공동현관 출입번호) 및 일부 주문내역입니다.
나. 이 사건 유출은 피고의 사용자 인증 시스템 개발에 관여하였던 전직 직원이 퇴사한 뒤에도 폐기되지 아니한 인증용 서명키(signing key)를 이용하여 이루어진 것으로 알려졌습니다. 피고는 약 5개월 동안 이러한 비정상적인 접근을 탐지하지 못하였고, 그 사이 배송지 주소 화면 하나가 1억 회 넘게 조회되기도 하였습니다.
다. 원고들은 모두 피고의 회원으로서 이 사건 유출 사고로 개인정보가 유출된 사람들입니다.

3. 피고의 손해배상책임
가. 개인정보처리자는 개인정보가 분실·도난·유출·위조·변조 또는 훼손되지 아니하도록 안전성 확보에 필요한 기술적·관리적 및 물리적 조치를 하여야 합니다(개인정보 보호법 제29조). 그런데 피고는 퇴직한 직원의 접근 권한과 인증 수단을 지체 없이 말소하지 아니하였고, 수개월에 걸친 대량의 비정상 조회를 탐지하거나 차단하지 못하는 등 위 안전조치의무를 위반하였습니다.
나. 정보주체는 개인정보처리자가 개인정보 보호법을 위반한 행위로 손해를 입으면 개인정보처리자에게 손해배상을 청구할 수 있고, 이 경우 개인정보처리자는 고의 또는 과실이 없음을 입증하지 아니하면 책임을 면할 수 없습니다(개인정보 보호법 제39조 제1항, 민법 제750조).
다. 또한 정보주체는 개인정보처리자의 고의 또는 과실로 인하여 개인정보가 분실·도난·유출·위조·변조 또는 훼손된 경우 300만 원 이하의 범위에서 상당한 금액을 손해액으로 하여 배상을 청구할 수 있습니다(개인정보 보호법 제39조의2 제1항).
라. 따라서 피고는 위 각 규정에 따라 원고들이 입은 손해를 배상할 책임이 있습니다.

4. 손해배상의 범위
원고들의 개인정보는 유출된 이후 제3자가 열람하고 이용할 수 있는 상태에 놓였습니다. 유출된 정보에는 배송지 주소와 공동현관 출입번호까지 포함되어 있어, 원고들은 스미싱과 보이스피싱 등 2차 피해의 위험과 주거의 안전에 대한 불안 속에서 상당한 정신적 고통을 겪고 있습니다. 유출된 개인정보의 종류와 규모, 유출의 경위와 기간, 피고의 사후 조치 등 여러 사정을 고려하면, 피고는 원고들에게 위자료로 적어도 별지 청구금액표 기재 각 금액을 지급할 의무가 있습니다.

5. 결론
그렇다면 피고는 원고들에게 별지 청구금액표 기재 각 금액 및 이에 대한 지연손해금을 지급할 의무가 있으므로, 원고들은 청구취지와 같은 판결을 구하기 위하여 이 사건 소를 제기합니다.`;

/** Values for the breach facts of {@link DEFAULT_CLAIM_TEXT_TEMPLATE} (public reporting, domain.md §1). */
export const DEFAULT_CLAIM_TEXT_VALUES: Readonly<Record<string, string>> = {
  disclosureDate: '2025. 11. 29.',
  affectedAccounts: '약 3,370만',
  breachPeriod: '2025. 6. 24.부터 2025. 11. 8.까지',
};

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Replaces every `{{name}}` in `template` with `values[name]` (integers get thousands separators,
 * e.g. 10330 -> "10,330"). Throws an Error naming every placeholder without a value.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  const missing = new Set<string>();
  const filled = template.replace(PLACEHOLDER, (match, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(values, name)) {
      missing.add(name);
      return match;
    }
    const value = values[name];
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? formatAmount(value) : String(value);
  });
  if (missing.size > 0) throw new Error(`template values missing: ${[...missing].join(', ')}`);
  return filled;
}

/** The names of the placeholders in a template, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) names.add(m[1]);
  return [...names];
}

/** The default 청구원인 for a defendant and a plaintiff count. */
export function defaultClaimText(values: { defendant: string; plaintiffCount: number }): string {
  return fillTemplate(DEFAULT_CLAIM_TEXT_TEMPLATE, { ...DEFAULT_CLAIM_TEXT_VALUES, ...values });
}
