import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { FirmCounselService, type CounselSettings } from '@app/filings';
import { Permission, type StaffPrincipal } from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';
import { UpdateFirmCounselDto } from '../dto/filing.dto';

/** Firm settings (admin): the counsel block printed on every complaint. */
@ApiTags('firm')
@ApiBearerAuth()
@Controller('firm')
export class FirmController {
  constructor(private readonly counsel: FirmCounselService) {}

  @RequirePermission(Permission.FirmManage)
  @Get()
  async get(@CurrentStaff() me: StaffPrincipal): Promise<{ counsel: CounselSettings }> {
    return { counsel: await this.counsel.get(me.firmId) };
  }

  @RequirePermission(Permission.FirmManage)
  @Patch()
  async update(
    @CurrentStaff() me: StaffPrincipal,
    @Body() body: UpdateFirmCounselDto,
  ): Promise<{ counsel: CounselSettings }> {
    return { counsel: await this.counsel.update(me, body) };
  }
}
