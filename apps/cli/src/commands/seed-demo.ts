import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CaseService, DEFAULT_CONSENTS } from '@app/cases';
import { IntakeService, type IntakeSubmission } from '@app/claimants';
import { FirmService, type StaffPrincipal } from '@app/security';
import { withCliContext } from '../cli.module';

const FAMILY = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권'];
const GIVEN = ['민준', '서연', '도윤', '하은', '시우', '지우', '주원', '지아', '하준', '서윤', '예준', '수아'];
const ROADS = ['테헤란로', '세종대로', '올림픽로', '해운대로', '중앙대로', '강남대로', '월드컵로'];
const CITIES = [
  '서울특별시 강남구',
  '서울특별시 중구',
  '부산광역시 해운대구',
  '인천광역시 연수구',
  '대전광역시 유성구',
];

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length];
}

/** Synthetic but valid claimants (never real people: 010-0xxx numbers are not assigned). */
function synthetic(i: number): IntakeSubmission {
  const year = 1950 + (i % 55);
  const month = String(1 + (i % 12)).padStart(2, '0');
  const day = String(1 + (i % 28)).padStart(2, '0');
  return {
    name: `${pick(FAMILY, i)}${pick(GIVEN, Math.floor(i / FAMILY.length))}`,
    birthDate: `${year}-${month}-${day}`,
    phone: `+82100${String(i % 10_000_000).padStart(7, '0')}`,
    email: `demo${i}@example.kr`,
    address: {
      postalCode: String(10_000 + (i % 89_999)).padStart(5, '0'),
      line1: `${pick(CITIES, i)} ${pick(ROADS, i)} ${1 + (i % 300)}`,
      line2: `${1 + (i % 20)}층`,
    },
    exposedData: [
      'name',
      'phone',
      'email',
      'address',
      ...(i % 3 === 0 ? (['orderHistory'] as const) : []),
      ...(i % 5 === 0 ? (['entranceCode'] as const) : []),
    ],
    noticeReceivedOn: '2025-11-30',
    harms: [],
    couponUsed: i % 4 === 0,
    consents: { collectionAndUse: true, provisionForLitigation: true },
    attestation: true,
  };
}

/** `seed-demo [--claimants N]`: a demo firm, a case and N synthetic claimants to try the product. */
export async function seedDemoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { claimants: { type: 'string', default: '200' } }, strict: true });
  const count = Number(values.claimants);
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000) {
    process.stderr.write('--claimants must be an integer from 0 to 1000000\n');
    return 2;
  }
  const password = process.env.ADMIN_PASSWORD || randomBytes(18).toString('base64url');
  const result = await withCliContext(async (app) => {
    const suffix = randomBytes(3).toString('hex');
    const adminEmail = `admin-${suffix}@demo.example.kr`;
    const { firmId, admin } = await app
      .get(FirmService)
      .createWithAdmin('법무법인 데모', { email: adminEmail, name: '데모 관리자', password });
    const actor: StaffPrincipal = {
      kind: 'staff',
      staffId: admin.id,
      firmId: firmId as StaffPrincipal['firmId'],
      role: 'admin',
      email: adminEmail,
      name: admin.name,
      sessionId: '00000000-0000-0000-0000-000000000000',
      sourceIp: 'cli',
    };
    const cases = app.get(CaseService);
    const created = await cases.create(actor, {
      slug: `coupang-demo-${suffix}`,
      title: '쿠팡 개인정보 유출 손해배상 공동소송 (데모)',
      court: '서울중앙지방법원',
      defendant: { name: '쿠팡 주식회사', address: '서울특별시 송파구 송파대로 570', representative: '대표이사' },
      claimRules: { baseAmountKrw: 300_000, additionsByCategoryKrw: { entranceCode: 50_000, orderHistory: 20_000 } },
      intakeOpen: true,
      consents: [...DEFAULT_CONSENTS],
    });
    const kase = { ...(await cases.get(actor.firmId, created.id)), firmId: actor.firmId };
    const intake = app.get(IntakeService);
    const ds = app.get(DataSource);
    const batch = 500;
    for (let start = 0; start < count; start += batch) {
      await ds.transaction(async (tx) => {
        for (let i = start; i < Math.min(count, start + batch); i++) {
          await intake.create(
            {
              firmId: actor.firmId,
              kase,
              submission: synthetic(i),
              source: 'import',
              sourceIp: null,
              consentedAt: new Date(),
            },
            tx,
          );
        }
      });
      process.stderr.write(`seeded ${Math.min(count, start + batch)}/${count}\n`);
    }
    return { firmId, adminEmail, caseId: created.id, slug: created.slug, claimants: count };
  });
  process.stdout.write(`${JSON.stringify({ ...result, ...(process.env.ADMIN_PASSWORD ? {} : { password }) })}\n`);
  return 0;
}
