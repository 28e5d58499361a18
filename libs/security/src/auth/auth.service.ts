import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, DomainError, type AppConfig } from '@app/platform';
import { AuditService } from '../audit/audit.service';
import { addressSubject } from '../rate-limit/address-subject';
import { RateLimiter, type RateLimitRule } from '../rate-limit/rate-limiter.service';
import { firmScope, type StaffPrincipal } from '../tenancy';
import type { Role } from '../permissions';
import { dummyHash, verifyPassword } from './password-hasher';
import { StaffSessionService } from './staff-session.service';

export interface LoginResult {
  token: string;
  expiresAt: string;
  staff: { id: string; firmId: string; email: string; name: string; role: Role };
}

@Injectable()
export class AuthService {
  private readonly perAccount: RateLimitRule;
  private readonly perAddress: RateLimitRule;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: StaffSessionService,
    private readonly audit: AuditService,
    private readonly limiter: RateLimiter,
  ) {
    this.perAccount = {
      bucket: 'login:account',
      max: config.loginMaxPerAccount,
      windowSeconds: config.loginWindowSeconds,
    };
    this.perAddress = {
      bucket: 'login:address',
      max: config.loginMaxPerAddress,
      windowSeconds: config.loginWindowSeconds,
    };
  }

  /**
   * Unknown email, wrong password, inactive or suspended account: one answer, and the same argon2
   * work in every case so timing does not tell them apart.
   */
  async login(emailInput: string, password: string, sourceIp: string): Promise<LoginResult> {
    const email = emailInput.trim().toLowerCase();
    await this.limiter.hit(this.perAddress, addressSubject(sourceIp));
    await this.limiter.check(this.perAccount, email);
    const rows = await this.ds.query<
      { id: string; firm_id: string; email: string; name: string; role: Role; password_hash: string; usable: boolean }[]
    >(
      `SELECT id, firm_id, email, name, role, password_hash, (active AND suspended_at IS NULL) AS usable
         FROM staff WHERE email = $1`,
      [email],
    );
    const staff = rows[0];
    const ok = await verifyPassword(staff?.password_hash ?? (await dummyHash()), password);
    if (!staff || !ok || !staff.usable) {
      await this.limiter.hit(this.perAccount, email).catch(() => undefined);
      await this.audit.recordNow({
        firmId: staff ? firmScope(staff.firm_id) : null,
        actorType: staff ? 'staff' : 'system',
        actorId: staff?.id ?? null,
        action: 'auth.login_failed',
        subjectType: staff ? 'staff' : undefined,
        subjectId: staff?.id,
        sourceIp,
        details: { cause: !staff ? 'unknown_account' : !ok ? 'wrong_password' : 'account_disabled' },
        retention: 'security',
      });
      throw new DomainError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    }
    await this.limiter.reset(this.perAccount, email);
    const issued = await this.ds.transaction(async (tx) => {
      const s = await this.sessions.issue(tx, staff.id, staff.firm_id, sourceIp);
      await this.audit.record(tx, {
        firmId: firmScope(staff.firm_id),
        actorType: 'staff',
        actorId: staff.id,
        action: 'auth.login',
        subjectType: 'session',
        subjectId: s.sessionId,
        sourceIp,
        retention: 'security',
      });
      return s;
    });
    return {
      token: issued.token,
      expiresAt: issued.expiresAt.toISOString(),
      staff: { id: staff.id, firmId: staff.firm_id, email: staff.email, name: staff.name, role: staff.role },
    };
  }

  async logout(p: StaffPrincipal): Promise<void> {
    await this.ds.transaction(async (tx) => {
      await tx.query(
        `UPDATE staff_sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE id = $1 AND revoked_at IS NULL`,
        [p.sessionId],
      );
      await this.audit.record(tx, {
        firmId: p.firmId,
        actorType: 'staff',
        actorId: p.staffId,
        action: 'auth.logout',
        subjectType: 'session',
        subjectId: p.sessionId,
        sourceIp: p.sourceIp,
        retention: 'security',
      });
    });
  }
}
