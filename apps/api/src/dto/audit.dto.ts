import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

/** A date, or a date and time with an optional offset: the ISO 8601 forms `Date` reads the same everywhere. */
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;
const INSTANT_MESSAGE = '$property must be YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z or +HH:MM]';

export class AuditQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() actorId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) subjectId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(/^[a-z_.-]{1,60}$/) action?: string;
  @ApiPropertyOptional({ example: '2026-01-31' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(INSTANT, { message: INSTANT_MESSAGE })
  from?: string;

  @ApiPropertyOptional({ example: '2026-02-01T09:00:00+09:00' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(INSTANT, { message: INSTANT_MESSAGE })
  to?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{1,18}$/) cursor?: string;
  @ApiPropertyOptional({ default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
