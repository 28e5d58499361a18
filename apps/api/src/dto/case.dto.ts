import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { ClaimRules } from '@app/claims';

export class DefendantDto {
  @ApiProperty({ example: '쿠팡 주식회사' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: '서울특별시 송파구 송파대로 570' }) @IsString() @Length(1, 300) address!: string;
  @ApiProperty({ example: '대표이사 박대준' }) @IsString() @Length(1, 100) representative!: string;
}

export class ConsentTextDto {
  @ApiProperty() @Matches(/^[A-Za-z][A-Za-z0-9]{0,40}$/) key!: string;
  @ApiProperty() @IsBoolean() required!: boolean;
  @ApiProperty() @IsString() @Length(1, 200) title!: string;
  @ApiProperty() @IsString() @Length(1, 2000) purpose!: string;
  @ApiProperty() @IsString() @Length(1, 2000) items!: string;
  @ApiProperty() @IsString() @Length(1, 2000) retention!: string;
  @ApiProperty() @IsString() @Length(1, 2000) refusal!: string;
  @ApiProperty() @IsString() @Length(1, 40) version!: string;
}

export class CaseSettingsDto {
  @ApiPropertyOptional({ example: '2025-11-29' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  interestStartDate?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20_000) claimTextTemplate?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  caseEvidence?: string[];
}

export class CreateCaseDto {
  @ApiProperty({ example: 'coupang-2025' })
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/, { message: 'must be 3-64 lowercase letters, digits or -' })
  slug!: string;

  @ApiProperty() @IsString() @Length(1, 200) title!: string;
  @ApiProperty({ example: '서울중앙지방법원' }) @IsString() @Length(1, 100) court!: string;

  @ApiProperty({ type: DefendantDto })
  @ValidateNested()
  @Type(() => DefendantDto)
  defendant!: DefendantDto;

  @ApiProperty({ example: { baseAmountKrw: 300000 } })
  @IsObject()
  claimRules!: Omit<ClaimRules, 'version'>;

  @ApiProperty() @IsBoolean() intakeOpen!: boolean;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[a-z][a-z0-9_]{0,40}$/, { each: true })
  evidenceKinds?: string[];

  @ApiPropertyOptional({ type: [ConsentTextDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ConsentTextDto)
  consents?: ConsentTextDto[];

  @ApiPropertyOptional({ type: CaseSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CaseSettingsDto)
  settings?: CaseSettingsDto;
}

class CaseUpdateBase extends CreateCaseDto {}
export class UpdateCaseDto extends PartialType(CaseUpdateBase) {}
