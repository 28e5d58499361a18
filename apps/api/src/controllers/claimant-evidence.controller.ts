import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { DomainError, ValidationError } from '@app/platform';
import {
  EvidenceService,
  type ClaimantPrincipal,
  type EvidenceUploadResult,
  type StagedEvidence,
} from '@app/claimants';
import { ClaimantRoute, CurrentClaimant } from '../http/access.decorators';
import { EVIDENCE_UPLOAD_BODY } from '../dto/evidence.dto';

const KIND_MAX = 100;

/** The claimant's own evidence uploads (multipart `kind` + `file`). */
@ApiTags('claimant portal')
@ApiBearerAuth()
@Controller()
export class ClaimantEvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @ClaimantRoute()
  @Post('claimant/me/evidence')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody(EVIDENCE_UPLOAD_BODY)
  async upload(@CurrentClaimant() me: ClaimantPrincipal, @Req() req: FastifyRequest): Promise<EvidenceUploadResult> {
    if (!req.isMultipart()) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with the fields kind and file');
    }
    let kind: string | undefined;
    let staged: StagedEvidence | undefined;
    let committed = false;
    try {
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (part.fieldname !== 'kind' || kind !== undefined) {
            throw new ValidationError([{ field: part.fieldname, message: 'unexpected field' }]);
          }
          if (typeof part.value !== 'string' || part.valueTruncated || part.value.length > KIND_MAX) {
            throw new ValidationError([{ field: 'kind', message: 'must be a short text' }]);
          }
          kind = part.value;
          continue;
        }
        if (part.fieldname !== 'file' || staged) {
          part.file.resume();
          throw new ValidationError([{ field: part.fieldname, message: 'expected one file in the field "file"' }]);
        }
        staged = await this.evidence.stage(me, fileSource(part), kind);
      }
      if (!staged) throw new ValidationError([{ field: 'file', message: 'a file is required' }]);
      const result = await this.evidence.commit(me, staged, kind);
      committed = true;
      return result;
    } finally {
      if (staged && !committed) await this.evidence.discard(staged);
    }
  }
}

function fileSource(part: MultipartFile): { stream: MultipartFile['file']; truncated: () => boolean } {
  return { stream: part.file, truncated: () => part.file.truncated };
}
