import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EvidenceService, type EvidenceReviewView } from '@app/claimants';
import { Permission, type StaffPrincipal } from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';
import { accessReason } from '../http/access-reason';
import { EvidenceReviewDto } from '../dto/evidence.dto';

/** Staff work on evidence files: review and (audited) download. Scoped to the caller's firm. */
@ApiTags('evidence')
@ApiBearerAuth()
@Controller('evidence')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @RequirePermission(Permission.EvidenceReview)
  @Post(':id/review')
  @HttpCode(200)
  review(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: EvidenceReviewDto,
  ): Promise<EvidenceReviewView> {
    return this.evidence.review(me, id, { decision: body.decision, reason: body.reason, lossKrw: body.lossKrw });
  }

  /** The decrypted file as an attachment; the reason is required, audited, and the read counted. */
  @RequirePermission(Permission.EvidenceDownload)
  @Get(':id/content')
  @ApiHeader({ name: 'X-Access-Reason', required: true, description: 'why the file is opened (max 500 characters)' })
  @ApiProduces('image/png', 'image/jpeg', 'application/pdf')
  async content(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const file = await this.evidence.content(me, id, accessReason(req));
    void reply
      .status(200)
      .header('content-type', file.contentType)
      .header('content-length', String(file.body.length))
      .header(
        'content-disposition',
        `attachment; filename="${file.fileName}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      )
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(file.body);
  }
}
