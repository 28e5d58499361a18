import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, NotFoundError, ValidationError, queryRows } from '@app/platform';
import { AuditService } from '../audit/audit.service';
import { StaffSessionService } from '../auth/staff-session.service';
import { hashPassword } from '../auth/password-hasher';
import { checkPassword } from '../auth/password-policy';
import type { Role } from '../permissions';
import type { FirmScope, StaffPrincipal } from '../tenancy';

export interface StaffView {
  id: string;
  firmId: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  suspended: boolean;
  createdAt: string;
}

interface StaffRow {
  id: string;
  firm_id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  suspended_at: Date | null;
  created_at: Date;
}

function toView(r: StaffRow): StaffView {
  return {
    id: r.id,
    firmId: r.firm_id,
    email: r.email,
    name: r.name,
    role: r.role,
    active: r.active,
    suspended: r.suspended_at !== null,
    createdAt: r.created_at.toISOString(),
  };
}

const COLUMNS = 'id, firm_id, email, name, role, active, suspended_at, created_at';

@Injectable()
export class StaffService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly sessions: StaffSessionService,
    private readonly audit: AuditService,
  ) {}

  /** Inserts a staff member in the caller's transaction (also used by create-firm). */
  async insert(
    tx: EntityManager,
    firmId: FirmScope,
    input: { email: string; name: string; role: Role; password: string },
  ): Promise<StaffView> {
    const email = input.email.trim().toLowerCase();
    const problems = checkPassword(input.password, { email });
    if (problems.length > 0) throw new ValidationError(problems);
    const hash = await hashPassword(input.password);
    const rows = await tx.query<StaffRow[]>(
      `INSERT INTO staff (firm_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
      [firmId, email, input.name.normalize('NFC').trim(), input.role, hash],
    );
    if (!rows[0]) throw new DomainError('CONFLICT', 'A staff member with this email already exists');
    return toView(rows[0]);
  }

  async create(
    actor: StaffPrincipal,
    input: { email: string; name: string; role: Role; password: string },
  ): Promise<StaffView> {
    return this.ds.transaction(async (tx) => {
      const staff = await this.insert(tx, actor.firmId, input);
      await this.audit.record(tx, {
        firmId: actor.firmId,
        actorType: 'staff',
        actorId: actor.staffId,
        action: 'staff.created',
        subjectType: 'staff',
        subjectId: staff.id,
        sourceIp: actor.sourceIp,
        details: { role: staff.role },
        retention: 'rights',
      });
      return staff;
    });
  }

  async list(firmId: FirmScope): Promise<StaffView[]> {
    const rows = await this.ds.query<StaffRow[]>(
      `SELECT ${COLUMNS} FROM staff WHERE firm_id = $1 ORDER BY created_at, id`,
      [firmId],
    );
    return rows.map(toView);
  }

  async get(firmId: FirmScope, id: string): Promise<StaffView> {
    const rows = await this.ds.query<StaffRow[]>(`SELECT ${COLUMNS} FROM staff WHERE firm_id = $1 AND id = $2`, [
      firmId,
      id,
    ]);
    if (!rows[0]) throw new NotFoundError('Staff member');
    return toView(rows[0]);
  }

  /**
   * Role and activation changes. Changing the role or deactivating ends every session of that
   * person in the same transaction, before the response is sent. Activating also lifts a
   * read-volume suspension.
   */
  async update(actor: StaffPrincipal, id: string, change: { role?: Role; active?: boolean }): Promise<StaffView> {
    return this.ds.transaction(async (tx) => {
      // The firm's admins and the person changed, locked in one order: two admins demoting or
      // deactivating each other at once take turns, and the second sees the first's change.
      await tx.query(`SELECT id FROM staff WHERE firm_id = $1 AND (role = 'admin' OR id = $2) ORDER BY id FOR UPDATE`, [
        actor.firmId,
        id,
      ]);
      const rows = await tx.query<StaffRow[]>(`SELECT ${COLUMNS} FROM staff WHERE firm_id = $1 AND id = $2`, [
        actor.firmId,
        id,
      ]);
      const before = rows[0];
      if (!before) throw new NotFoundError('Staff member');
      const role = change.role ?? before.role;
      const active = change.active ?? before.active;
      const roleChanged = role !== before.role;
      const deactivated = before.active && !active;
      const reactivated = active && (!before.active || before.suspended_at !== null) && change.active === true;
      if ((roleChanged && before.role === 'admin') || (deactivated && before.role === 'admin')) {
        const admins = await tx.query<{ n: number }[]>(
          // A suspended admin (read-volume alarm) cannot act until another admin lifts it: not counted.
          `SELECT count(*)::int AS n FROM staff
            WHERE firm_id = $1 AND role = 'admin' AND active AND suspended_at IS NULL AND id <> $2`,
          [actor.firmId, id],
        );
        if ((admins[0]?.n ?? 0) === 0) throw new DomainError('CONFLICT', 'A firm must keep at least one active admin');
      }
      const updated = await queryRows<StaffRow>(
        tx,
        `UPDATE staff SET role = $3, active = $4, updated_at = now(),
                suspended_at = CASE WHEN $5 THEN NULL ELSE suspended_at END,
                suspended_reason = CASE WHEN $5 THEN NULL ELSE suspended_reason END
          WHERE firm_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [actor.firmId, id, role, active, reactivated],
      );
      const base = {
        firmId: actor.firmId,
        actorType: 'staff' as const,
        actorId: actor.staffId,
        subjectType: 'staff',
        subjectId: id,
        sourceIp: actor.sourceIp,
        retention: 'rights' as const,
      };
      if (roleChanged || deactivated) {
        const ended = await this.sessions.revokeAll(tx, id, roleChanged ? 'role_changed' : 'deactivated');
        if (roleChanged) {
          await this.audit.record(tx, {
            ...base,
            action: 'staff.role_changed',
            details: { from: before.role, to: role, sessionsEnded: ended },
          });
        }
        if (deactivated) {
          await this.audit.record(tx, { ...base, action: 'staff.deactivated', details: { sessionsEnded: ended } });
        }
      }
      if (reactivated) {
        await this.audit.record(tx, {
          ...base,
          action: 'staff.activated',
          details: { liftedSuspension: before.suspended_at !== null },
        });
      }
      return toView(updated[0]);
    });
  }
}
