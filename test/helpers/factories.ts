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
