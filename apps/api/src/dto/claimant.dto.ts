import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateNested } from 'class-validator';
import { CLAIMANT_STATUSES } from '@app/claimants';
import { PageQueryDto } from './page.dto';

export class ClaimantListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CLAIMANT_STATUSES }) @IsOptional() @IsIn(CLAIMANT_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: ['possible_duplicate', 'velocity'] })
  @IsOptional()
  @IsIn(['possible_duplicate', 'velocity'])
  flag?: string;

  @ApiPropertyOptional({ enum: ['none', 'pending', 'accepted', 'rejected'] })
  @IsOptional()
  @IsIn(['none', 'pending', 'accepted', 'rejected'])
  evidence?: 'none' | 'pending' | 'accepted' | 'rejected';

  @ApiPropertyOptional({ description: 'reference, phone (any format), email or exact name' })
  @IsOptional()
  @IsString()
  @Length(1, 254)
  q?: string;
}

export class TransitionDto {
  @ApiProperty({ enum: CLAIMANT_STATUSES }) @IsString() @MaxLength(40) to!: string;
  @ApiProperty() @IsString() @Length(1, 1000) reason!: string;
}

export class ReasonDto {
  @ApiProperty() @IsString() @Length(1, 1000) reason!: string;
}

export class MergeDto {
  @ApiProperty({ description: 'the duplicate that is absorbed into this claimant' }) @IsUUID() absorbedId!: string;
  @ApiProperty() @IsString() @Length(1, 1000) reason!: string;
}

export class ClaimantSessionDto {
  @ApiProperty({ example: 'CP-7K3Q-M2XD' }) @IsString() @Length(1, 40) reference!: string;
  @ApiProperty() @IsString() @Length(1, 200) claimantToken!: string;
}

export class AddressDto {
  @ApiProperty({ example: '06236' }) @IsString() @MaxLength(10) postalCode!: string;
  @ApiProperty() @IsString() @MaxLength(300) line1!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) line2?: string;
}

export class ContactCorrectionDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(30) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ type: AddressDto })
  @IsOptional()
  @Type(() => AddressDto)
  @ValidateNested()
  address?: AddressDto;
}
