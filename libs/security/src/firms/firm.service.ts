import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { StaffService, type StaffView } from '../staff/staff.service';
import { firmScope } from '../tenancy';

@Injectable()
export class FirmService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly staff: StaffService,
    private readonly audit: AuditService,
  ) {}

  /** A new firm (tenant) and its first admin, in one transaction. */
  async createWithAdmin(
    name: string,
    admin: { email: string; name: string; password: string },
  ): Promise<{ firmId: string; admin: StaffView }> {
    return this.ds.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }[]>(`INSERT INTO firms (name) VALUES ($1) RETURNING id`, [
        name.normalize('NFC').trim(),
      ]);
      const firmId = firmScope(rows[0].id);
      const created = await this.staff.insert(tx, firmId, { ...admin, role: 'admin' });
      await this.audit.record(tx, {
        firmId,
        actorType: 'system',
        actorId: null,
        action: 'firm.created',
        subjectType: 'firm',
        subjectId: firmId,
        retention: 'rights',
      });
      await this.audit.record(tx, {
        firmId,
        actorType: 'system',
        actorId: null,
        action: 'staff.created',
        subjectType: 'staff',
        subjectId: created.id,
        details: { role: 'admin' },
        retention: 'rights',
      });
      return { firmId, admin: created };
    });
  }
}
