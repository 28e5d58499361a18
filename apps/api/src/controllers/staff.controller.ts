import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Permission, StaffService, type StaffPrincipal, type StaffView } from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';
import { CreateStaffDto, UpdateStaffDto } from '../dto/staff.dto';

@ApiTags('staff')
@ApiBearerAuth()
@RequirePermission(Permission.StaffManage)
@Controller('staff')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  create(@CurrentStaff() me: StaffPrincipal, @Body() body: CreateStaffDto): Promise<StaffView> {
    return this.staff.create(me, body);
  }

  @Get()
  async list(@CurrentStaff() me: StaffPrincipal): Promise<{ items: StaffView[] }> {
    return { items: await this.staff.list(me.firmId) };
  }

  @Get(':id')
  get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<StaffView> {
    return this.staff.get(me.firmId, id);
  }

  @Patch(':id')
  update(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateStaffDto,
  ): Promise<StaffView> {
    return this.staff.update(me, id, body);
  }
}
