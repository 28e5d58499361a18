import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { SecurityModule } from '@app/security';
import { ClaimantDeskService } from './desk/desk.service';
import { IntakeService } from './intake/intake.service';
import { ClaimantPortalService } from './portal/portal.service';
import { ClaimantWorkflowService } from './workflow/workflow.service';
import { ClaimantKeyRotationService } from './rotation/claimant-key-rotation.service';
import { EvidenceService } from './evidence/evidence.service';
import { ImportService } from './imports/import.service';

const SERVICES = [
  IntakeService,
  ClaimantDeskService,
  ClaimantWorkflowService,
  ClaimantPortalService,
  ClaimantKeyRotationService,
  EvidenceService,
  ImportService,
];

@Module({ imports: [SecurityModule, CasesModule], providers: SERVICES, exports: SERVICES })
export class ClaimantsModule {}
