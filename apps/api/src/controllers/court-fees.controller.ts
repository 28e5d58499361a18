import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CourtFeeSchedules, computeCourtFees, validateCourtFeeInput, type CourtFees } from '@app/claims';
import { todayInKorea } from '@app/claimants';
import { ValidationError } from '@app/platform';
import { Permission } from '@app/security';
import { RequirePermission } from '../http/access.decorators';
import { CourtFeesQueryDto } from '../dto/court-fees.dto';

@ApiTags('claims')
@ApiBearerAuth()
@Controller('court-fees')
export class CourtFeesController {
  constructor(private readonly schedules: CourtFeeSchedules) {}

  /** 소가, division, 인지대 and 송달료 for a prospective filing today, exact to the won. */
  @RequirePermission(Permission.FeesRead)
  @Get()
  get(@Query() q: CourtFeesQueryDto): CourtFees {
    const checked = validateCourtFeeInput({
      claimValueKrw: Number(q.claimValueKrw),
      plaintiffs: Number(q.plaintiffs),
      defendants: Number(q.defendants),
      eFiling: q.eFiling === 'true',
      ...(q.serviceCount ? { serviceCount: q.serviceCount } : {}),
    });
    if (!checked.ok) throw new ValidationError(checked.errors);
    return computeCourtFees(checked.input, this.schedules.forDate(todayInKorea()));
  }
}
