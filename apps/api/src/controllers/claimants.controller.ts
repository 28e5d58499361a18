import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  ClaimantDeskService,
  ClaimantPortalService,
  ClaimantWorkflowService,
  staffActor,
  type ClaimantListItem,
  type ClaimantStatus,
} from '@app/claimants';
import { Permission, type StaffPrincipal } from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';
import { ClaimantListQueryDto, MergeDto, ReasonDto, TransitionDto } from '../dto/claimant.dto';
import { DEFAULT_PAGE_LIMIT } from '../dto/page.dto';

@ApiTags('claimants')
@ApiBearerAuth()
@Controller('cases/:caseId')
export class ClaimantsController {
  constructor(
    private readonly desk: ClaimantDeskService,
    private readonly workflow: ClaimantWorkflowService,
    private readonly portal: ClaimantPortalService,
  ) {}

  @RequirePermission(Permission.ClaimantRead)
  @Get('claimants')
  list(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Query() q: ClaimantListQueryDto,
  ): Promise<{ items: ClaimantListItem[]; nextCursor: string | null }> {
    return this.desk.list(me, caseId, {
      status: q.status as ClaimantStatus | undefined,
      flag: q.flag,
      evidence: q.evidence,
      q: q.q,
      limit: q.limit ?? DEFAULT_PAGE_LIMIT,
      cursor: q.cursor,
    });
  }

  @RequirePermission(Permission.ClaimantRead)
  @Get('statistics')
  statistics(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
  ): Promise<Record<string, unknown>> {
    return this.desk.statistics(me.firmId, caseId);
  }

  /** Decrypted detail; the read is audited and counted by the read-volume alarm. */
  @RequirePermission(Permission.ClaimantReadPersonal)
  @Get('claimants/:id')
  detail(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<Record<string, unknown>> {
    return this.desk.detail(me, caseId, id);
  }

  @RequirePermission(Permission.ClaimantTransition)
  @Post('claimants/:id/transitions')
  @HttpCode(200)
  transition(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: TransitionDto,
  ): Promise<{ id: string; status: ClaimantStatus }> {
    return this.workflow.transition(staffActor(me), caseId, id, body.to, body.reason);
  }

  @RequirePermission(Permission.ClaimantMerge)
  @Post('claimants/:id/flags/:flagId/dismiss')
  @HttpCode(204)
  async dismiss(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('flagId', ParseUUIDPipe) flagId: string,
    @Body() body: ReasonDto,
  ): Promise<void> {
    await this.workflow.dismissFlag(staffActor(me), caseId, id, flagId, body.reason);
  }

  /** A new portal token for a claimant who lost theirs; the old token and its sessions end. */
  @RequirePermission(Permission.ClaimantTokenReissue)
  @Post('claimants/:id/portal-token')
  @HttpCode(201)
  reissueToken(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ReasonDto,
  ): Promise<{ reference: string; claimantToken: string }> {
    return this.portal.reissueToken(me, caseId, id, body.reason);
  }

  /** Merges a duplicate into this claimant (this one survives). */
  @RequirePermission(Permission.ClaimantMerge)
  @Post('claimants/:id/merge')
  @HttpCode(204)
  async merge(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: MergeDto,
  ): Promise<void> {
    await this.workflow.merge(staffActor(me), caseId, id, body.absorbedId, body.reason);
  }
}
