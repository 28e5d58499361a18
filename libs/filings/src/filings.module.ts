import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { ClaimsModule } from '@app/claims';
import { SecurityModule } from '@app/security';
import { FilingDocumentStore } from './filing/filing-document-store';
import { FilingService } from './filing/filing.service';
import { FirmCounselService } from './filing/firm-counsel.service';

const SERVICES = [FilingService, FilingDocumentStore, FirmCounselService];

/**
 * Filing batches for the API (create, read, download). The worker adds {@link FilingRenderHandler}
 * itself, next to this module, so the API never registers a job handler.
 */
@Module({ imports: [SecurityModule, CasesModule, ClaimsModule], providers: SERVICES, exports: SERVICES })
export class FilingsModule {}
