import { Module } from '@nestjs/common';
import { SecurityModule } from '@app/security';
import { ClaimRecomputeRepository } from './claim-recompute.repository';
import { ClaimRecomputeService } from './claim-recompute.service';

/** Claim recomputes for the API (requests, status, summary) and the worker (the job's service). */
@Module({
  imports: [SecurityModule],
  providers: [ClaimRecomputeRepository, ClaimRecomputeService],
  exports: [ClaimRecomputeService],
})
export class ClaimsModule {}
