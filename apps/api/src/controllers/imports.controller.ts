import { Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import '@fastify/multipart';
import { APP_CONFIG, DomainError, OutboxRelay, ValidationError, type AppConfig, type KeysetPage } from '@app/platform';
import { IMPORT_COLUMNS, ImportService, type ImportView } from '@app/claimants';
import { Permission, type StaffPrincipal } from '@app/security';
import { CurrentStaff, RequirePermission } from '../http/access.decorators';
import { DEFAULT_PAGE_LIMIT, PageQueryDto } from '../dto/page.dto';

/** Bulk import of claimants from a CSV file (the work happens in the `claimants.import` job). */
@ApiTags('imports')
@ApiBearerAuth()
@Controller()
export class ImportsController {
  constructor(
    private readonly imports: ImportService,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @RequirePermission(Permission.ImportCreate)
  @Post('cases/:caseId/imports')
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: {
          type: 'string',
          format: 'binary',
          description: `CSV, UTF-8 (BOM optional), header ${IMPORT_COLUMNS.join(',')}; exposed_data separated by ;`,
        },
      },
    },
  })
  async create(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Req() req: FastifyRequest,
  ): Promise<{ id: string }> {
    if (!req.isMultipart()) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with the CSV in the field "file"');
    }
    const part = await req.file({ limits: { fileSize: this.config.importMaxBytes, files: 1 } });
    if (!part) throw new ValidationError([{ field: 'file', message: 'a CSV file is required' }]);
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw new ValidationError([{ field: part.fieldname, message: 'expected the CSV in the field "file"' }]);
    }
    const out = await this.imports.request(me, caseId, {
      stream: part.file,
      truncated: () => part.file.truncated,
    });
    this.relay.kick();
    return out;
  }

  @RequirePermission(Permission.ClaimantRead)
  @Get('cases/:caseId/imports')
  list(
    @CurrentStaff() me: StaffPrincipal,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Query() q: PageQueryDto,
  ): Promise<KeysetPage<Omit<ImportView, 'errors' | 'moreErrors'>>> {
    return this.imports.list(me.firmId, caseId, { limit: q.limit ?? DEFAULT_PAGE_LIMIT, cursor: q.cursor });
  }

  /** Status, counts, progress and the rows' problems (line, column, message; never their content). */
  @RequirePermission(Permission.ClaimantRead)
  @Get('imports/:id')
  get(@CurrentStaff() me: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<ImportView> {
    return this.imports.get(me.firmId, id);
  }
}
