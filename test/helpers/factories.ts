import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { FirmService, type Role } from '@app/security';
import type { TestApp } from './test-app';

export interface TestFirm {
  firmId: string;
  adminId: string;
  adminEmail: string;
  adminToken: string;
}

export const TEST_PASSWORD = 'long enough test passphrase 42';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@firm.test`;
}

export async function login(t: TestApp, email: string, password = TEST_PASSWORD): Promise<string> {
  const res = await request(t.http).post('/api/v1/auth/login').send({ email, password }).expect(200);
  return (res.body as { token: string }).token;
}

/** A firm with a logged-in admin, created the way `create-firm` does it. */
export async function createFirm(t: TestApp, name = 'Test firm'): Promise<TestFirm> {
  const adminEmail = uniqueEmail('admin');
  const { firmId, admin } = await t.api
    .get(FirmService)
    .createWithAdmin(name, { email: adminEmail, name: '관리자', password: TEST_PASSWORD });
  return { firmId, adminId: admin.id, adminEmail, adminToken: await login(t, adminEmail) };
}

/** A staff member of the firm with the given role, logged in. */
export async function createStaff(
  t: TestApp,
  firm: TestFirm,
  role: Role,
): Promise<{ id: string; email: string; token: string }> {
  const email = uniqueEmail(role);
  const res = await request(t.http)
    .post('/api/v1/staff')
    .set('authorization', `Bearer ${firm.adminToken}`)
    .send({ email, name: `${role} 직원`, role, password: TEST_PASSWORD })
    .expect(201);
  return { id: (res.body as { id: string }).id, email, token: await login(t, email) };
}

let caseCounter = 0;

/** A case of the firm, created through the API by the given staff token. */
export async function createCase(
  t: TestApp,
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; slug: string }> {
  const slug = `case-${Date.now().toString(36)}-${caseCounter++}-${randomBytes(2).toString('hex')}`;
  const res = await request(t.http)
    .post('/api/v1/cases')
    .set('authorization', `Bearer ${token}`)
    .send({
      slug,
      title: '쿠팡 개인정보 유출 손해배상 공동소송',
      court: '서울중앙지방법원',
      defendant: { name: '쿠팡 주식회사', address: '서울특별시 송파구 송파대로 570', representative: '박대준' },
      claimRules: { baseAmountKrw: 300_000 },
      intakeOpen: true,
      ...overrides,
    })
    .expect(201);
  return { id: (res.body as { id: string }).id, slug };
}

let personCounter = 0;

/** A valid intake body; each call a different person unless overridden. */
export function intakeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const n = personCounter++;
  const digits = String(10_000_000 + ((Date.now() + n * 7919) % 89_999_999)).slice(-8);
  return {
    name: '홍길동',
    birthDate: '1985-03-14',
    // 010-3xxx-xxxx: libphonenumber treats some other 010 ranges (e.g. 010-5970..5999) as unassigned.
    phone: `010-3${digits.slice(1, 4)}-${digits.slice(4)}`,
    email: `person${n}-${randomBytes(3).toString('hex')}@example.kr`,
    address: { postalCode: '06236', line1: `서울특별시 강남구 테헤란로 ${100 + n}`, line2: `${n}층` },
    exposedData: ['name', 'phone', 'email', 'address'],
    noticeReceivedOn: '2025-11-30',
    harms: [],
    consents: { collectionAndUse: true, provisionForLitigation: true },
    attestation: true,
    ...overrides,
  };
}
