import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OutboxRelay, ValidationError, type KeysetPage } from '@app/platform';
import {
  FilingService,
  contentDisposition,
  type FilingListItem,
  type FilingSelection,
  type FilingView,
} from '@app/filings';
import { Permission, type StaffPrincipal } from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';
import { accessReason } from '../http/access-reason';
import { CreateFilingDto, type FilingSelectionDto } from '../dto/filing.dto';
import { DEFAULT_PAGE_LIMIT, PageQueryDto } from '../dto/page.dto';

function selectionOf(s: FilingSelectionDto): FilingSelection {
  const byStatus = s.status !== undefined;
  const byIds = s.claimantIds !== undefined;
  if (byStatus === byIds) {
    throw new ValidationError([{ field: 'selection', message: 'give exactly one of status or claimantIds' }]);
  }
  return byIds ? { claimantIds: s.claimantIds ?? [] } : { status: 'approved' };
}

/** Filing batches: create (queued for the render job), read, and audited document downloads. */
@ApiTags('filings')
@ApiBearerAuth()
@Controller()
export class FilingsController {
  constructor(
    private readonly filings: FilingService,
    private readonly relay: OutboxRelay,
  ) {}

  @RequirePermission(Permission.FilingCreate)
  @Post('cases/:caseId/filings')
  @HttpCode(202)
  async create(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Body() body: CreateFilingDto,
  ): Promise<{ id: string; status: 'queued' }> {
    const created = await this.filings.create(me, caseId, {
      label: body.label,
      selection: selectionOf(body.selection),
      eFiling: body.eFiling,
      court: body.court,
      serviceCount: body.serviceCount,
    });
    this.relay.kick(); // the job goes to the queue now, not at the next relay tick
    return created;
  }

  @RequirePermission(Permission.FilingRead)
  @Get('cases/:caseId/filings')
  list(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Query() q: PageQueryDto,
  ): Promise<KeysetPage<FilingListItem>> {
    return this.filings.list(me.firmId, caseId, { limit: q.limit ?? DEFAULT_PAGE_LIMIT, cursor: q.cursor });
  }

  @RequirePermission(Permission.FilingRead)
  @Get('filings/:id')
  get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<FilingView> {
    return this.filings.get(me.firmId, id);
  }

  /** The decrypted document as an attachment; the reason is required and audited. */
  @RequirePermission(Permission.FilingDownload)
  @Get('filings/:id/documents/:documentId')
  @ApiHeader({ name: 'X-Access-Reason', required: true, description: 'why the document is downloaded (max 500)' })
  @ApiProduces(
    'application/pdf',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'text/csv',
    'application/json',
  )
  async download(
    @CurrentStaff() me: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('documentId', ParseUUIDPipe) documentId: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const doc = await this.filings.download(me, id, documentId, accessReason(req));
    void reply
      .status(200)
      .header('content-type', doc.contentType)
      .header('content-length', String(doc.body.length))
      .header('content-disposition', contentDisposition(doc.fileName, doc.asciiFileName))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(doc.body);
  }
}
