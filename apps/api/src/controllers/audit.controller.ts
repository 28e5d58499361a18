import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AuditService,
  Permission,
  type AuditEventView,
  type AuditVerifyResult,
  type StaffPrincipal,
} from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';
import { AuditQueryDto } from '../dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@RequirePermission(Permission.AuditRead)
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(
    @CurrentStaff() me: StaffPrincipal,
    @Query() q: AuditQueryDto,
  ): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
    return this.audit.list(me.firmId, {
      actorId: q.actorId,
      subjectId: q.subjectId,
      action: q.action,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      cursor: q.cursor,
      limit: q.limit ?? 50,
    });
  }

  @Get('verify')
  verify(@CurrentStaff() me: StaffPrincipal): Promise<AuditVerifyResult> {
    return this.audit.verify(me.firmId);
  }
}
