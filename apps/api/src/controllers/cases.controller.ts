import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CaseService, type CaseView } from '@app/cases';
import { Permission, type StaffPrincipal } from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';
import { CreateCaseDto, UpdateCaseDto } from '../dto/case.dto';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CaseService) {}

  @RequirePermission(Permission.CaseWrite)
  @Post()
  create(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateCaseDto): Promise<CaseView> {
    return this.cases.create(me, body);
  }

  @RequirePermission(Permission.CaseRead)
  @Get()
  async list(@CurrentStaff() me: StaffPrincipal): Promise<{ items: CaseView[] }> {
    return { items: await this.cases.list(me.firmId) };
  }

  @RequirePermission(Permission.CaseRead)
  @Get(':caseId')
  get(@CurrentStaff() me: StaffPrincipal, @Param('caseId', ParseUUIDPipe) caseId: string): Promise<CaseView> {
    return this.cases.get(me.firmId, caseId);
  }

  @RequirePermission(Permission.CaseWrite)
  @Patch(':caseId')
  update(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Body() body: UpdateCaseDto,
  ): Promise<CaseView> {
    const { slug, ...patch } = body;
    void slug;
    return this.cases.update(me, caseId, patch);
  }
}
