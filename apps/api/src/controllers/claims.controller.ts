import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ClaimRecomputeService, type ClaimRecomputeView, type ClaimSummary } from '@app/claims';
import { OutboxRelay } from '@app/platform';
import { Permission, type StaffPrincipal } from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';

@ApiTags('claims')
@ApiBearerAuth()
@Controller()
export class ClaimsController {
  constructor(
    private readonly recomputes: ClaimRecomputeService,
    private readonly relay: OutboxRelay,
  ) {}

  /** Queues a recompute of every claimant's claim under the case's current rules (job `claims.recompute`). */
  @RequirePermission(Permission.ClaimsRecompute)
  @Post('cases/:caseId/claims/recompute')
  @HttpCode(202)
  async recompute(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
  ): Promise<ClaimRecomputeView> {
    const view = await this.recomputes.request(me, caseId);
    this.relay.kick();
    return view;
  }

  @RequirePermission(Permission.CaseRead)
  @Get('claims/recomputes/:id')
  recomputeStatus(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClaimRecomputeView> {
    return this.recomputes.get(me.firmId, id);
  }

  /**
   * Totals of the stored claims. Needs `case.read` (every role holding `claimant.read` holds it too);
   * the answer carries counts and sums only, no person's data.
   */
  @RequirePermission(Permission.CaseRead)
  @Get('cases/:caseId/claims/summary')
  summary(@CurrentStaff() me: StaffPrincipal, @Param('caseId', ParseUUIDPipe) caseId: string): Promise<ClaimSummary> {
    return this.recomputes.summary(me.firmId, caseId);
  }
}
