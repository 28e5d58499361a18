import { ApiProperty } from '@nestjs/swagger';

export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: string;
  @ApiProperty({ enum: ['up', 'down'] }) db!: string;
  @ApiProperty({ enum: ['up', 'down'] }) redis!: string;
  @ApiProperty() version!: string;
}
