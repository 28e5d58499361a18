import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateNested,
} from 'class-validator';
import { SERVICE_COUNT_MODES } from '@app/claims';
import { MAX_SELECTED_IDS } from '@app/filings';

/** Exactly one of `status` (every approved claimant outside open filings) or `claimantIds`. */
export class FilingSelectionDto {
  @ApiPropertyOptional({ enum: ['approved'] }) @IsOptional() @IsIn(['approved']) status?: 'approved';

  @ApiPropertyOptional({ type: [String], maxItems: MAX_SELECTED_IDS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SELECTED_IDS)
  @IsUUID('all', { each: true })
  claimantIds?: string[];
}

export class CreateFilingDto {
  @ApiProperty({ example: '1차' }) @IsString() @Length(1, 100) label!: string;

  @ApiProperty({ type: FilingSelectionDto })
  @ValidateNested()
  @Type(() => FilingSelectionDto)
  selection!: FilingSelectionDto;

  @ApiProperty({ description: 'electronic filing (전자소송): 9/10 stamp duty' }) @IsBoolean() eFiling!: boolean;

  @ApiPropertyOptional({ example: '서울중앙지방법원', description: "default: the case's court" })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  court?: string;

  @ApiPropertyOptional({ enum: SERVICE_COUNT_MODES, default: 'all-parties' })
  @IsOptional()
  @IsIn(SERVICE_COUNT_MODES)
  serviceCount?: (typeof SERVICE_COUNT_MODES)[number];
}

/** The counsel block printed on complaints (원고들 소송대리인). */
export class UpdateFirmCounselDto {
  @ApiPropertyOptional({ example: '법무법인 한빛' }) @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ example: '서울특별시 서초구 서초대로 100, 5층' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  address?: string;

  @ApiPropertyOptional({ example: '02-123-4567' }) @IsOptional() @IsString() @Length(1, 40) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 40) fax?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;

  @ApiPropertyOptional({ type: [String], example: ['김변호', '이변호'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  attorneys?: string[];
}
