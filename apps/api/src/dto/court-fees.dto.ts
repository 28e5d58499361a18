import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { SERVICE_COUNT_MODES, type ServiceCountMode } from '@app/claims';

const INTEGER = /^\d{1,16}$/;
const MESSAGE = 'must be a non-negative integer';

export class CourtFeesQueryDto {
  @ApiProperty({ example: '599400000' }) @Matches(INTEGER, { message: MESSAGE }) claimValueKrw!: string;
  @ApiProperty({ example: '1998' }) @Matches(INTEGER, { message: MESSAGE }) plaintiffs!: string;
  @ApiProperty({ example: '1' }) @Matches(INTEGER, { message: MESSAGE }) defendants!: string;
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false' })
  @IsOptional()
  @IsIn(['true', 'false'])
  eFiling?: string;

  @ApiPropertyOptional({ enum: SERVICE_COUNT_MODES, default: 'all-parties' })
  @IsOptional()
  @IsIn(SERVICE_COUNT_MODES)
  serviceCount?: ServiceCountMode;
}
