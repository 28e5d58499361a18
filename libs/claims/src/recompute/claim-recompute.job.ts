import { Injectable } from '@nestjs/common';
import { JOB_OPTIONS, JobName, ProcessesJob, type JobContext, type JobHandler, type JobPayloads } from '@app/platform';
import { ClaimRecomputeService } from './claim-recompute.service';

/** `claims.recompute`: recomputes every claimant of a case (see ClaimRecomputeService.run). */
@Injectable()
@ProcessesJob(JobName.RecomputeClaims)
export class ClaimRecomputeHandler implements JobHandler<typeof JobName.RecomputeClaims> {
  constructor(private readonly recomputes: ClaimRecomputeService) {}

  async handle(payload: JobPayloads[typeof JobName.RecomputeClaims], ctx: JobContext): Promise<void> {
    await this.recomputes.run(payload.recomputeId, {
      attempt: ctx.attempt,
      maxAttempts: JOB_OPTIONS[JobName.RecomputeClaims].attempts,
    });
    await ctx.updateProgress(100);
  }
}
