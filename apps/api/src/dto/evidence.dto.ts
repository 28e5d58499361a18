import { ApiProperty, ApiPropertyOptional, type ApiBody } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class EvidenceReviewDto {
  @ApiProperty({ enum: ['accepted', 'rejected'] })
  @IsIn(['accepted', 'rejected'])
  decision!: 'accepted' | 'rejected';

  @ApiProperty() @IsString() @Length(1, 1000) reason!: string;

  @ApiPropertyOptional({ description: 'proven actual loss (secondary harm) in won; accepted files only', default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  lossKrw?: number;
}

/** OpenAPI description of the claimant's multipart upload. */
export const EVIDENCE_UPLOAD_BODY: Parameters<typeof ApiBody>[0] = {
  schema: {
    type: 'object',
    required: ['kind', 'file'],
    properties: {
      kind: { type: 'string', description: "one of the case's evidenceKinds (send it before the file)" },
      file: { type: 'string', format: 'binary', description: 'PNG, JPEG or PDF (decided by content, not name)' },
    },
  },
};
