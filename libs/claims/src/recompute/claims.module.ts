import { Module } from '@nestjs/common';
import { SecurityModule } from '@app/security';
import { ClaimRecomputeRepository } from './claim-recompute.repository';
import { ClaimRecomputeService } from './claim-recompute.service';
import { CourtFeeSchedules } from '../fee-schedules-config';

/**
 * Claim recomputes for the API (requests, status, summary) and the worker (the job's service), and
 * the court-fee schedules in force.
 */
@Module({
  imports: [SecurityModule],
  providers: [ClaimRecomputeRepository, ClaimRecomputeService, CourtFeeSchedules],
  exports: [ClaimRecomputeService, CourtFeeSchedules],
})
export class ClaimsModule {}
