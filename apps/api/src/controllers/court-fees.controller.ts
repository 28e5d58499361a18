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
    // The schedule in force today checks the input and computes the fees (a configured schedule can
    // make figures the built-in one allows too large to compute exactly).
    const schedule = this.schedules.forDate(todayInKorea());
    const checked = validateCourtFeeInput(
      {
        claimValueKrw: Number(q.claimValueKrw),
        plaintiffs: Number(q.plaintiffs),
        defendants: Number(q.defendants),
        eFiling: q.eFiling === 'true',
        ...(q.serviceCount ? { serviceCount: q.serviceCount } : {}),
      },
      schedule,
    );
    if (!checked.ok) throw new ValidationError(checked.errors);
    return computeCourtFees(checked.input, schedule);
  }
}
