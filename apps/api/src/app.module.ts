import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PlatformModule, type AppConfig } from '@app/platform';
import { SecurityModule } from '@app/security';
import { CasesModule } from '@app/cases';
import { ClaimantsModule } from '@app/claimants';
import { FilingsModule } from '@app/filings';
import { ClaimsModule } from '@app/claims';
import { CasesController } from './controllers/cases.controller';
import { ClaimantPortalController } from './controllers/claimant-portal.controller';
import { ClaimantsController } from './controllers/claimants.controller';
import { ClaimantEvidenceController } from './controllers/claimant-evidence.controller';
import { EvidenceController } from './controllers/evidence.controller';
import { ImportsController } from './controllers/imports.controller';
import { PublicIntakeController } from './controllers/public-intake.controller';
import { AuditController } from './controllers/audit.controller';
import { AuthController } from './controllers/auth.controller';
import { CourtFeesController } from './controllers/court-fees.controller';
import { ClaimsController } from './controllers/claims.controller';
import { HealthController } from './controllers/health.controller';
import { StaffController } from './controllers/staff.controller';
import { SystemController } from './controllers/system.controller';
import { FilingsController } from './controllers/filings.controller';
import { FirmController } from './controllers/firm.controller';
import { AccessGuard } from './http/access.guard';

@Module({})
export class ApiModule {
  static forConfig(config: AppConfig, extraControllers: Type<unknown>[] = []): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(config, 'api'),
        SecurityModule,
        CasesModule,
        ClaimantsModule,
        FilingsModule,
        ClaimsModule,
        DiscoveryModule,
      ],
      controllers: [
        HealthController,
        SystemController,
        AuthController,
        StaffController,
        AuditController,
        CourtFeesController,
        ClaimsController,
        CasesController,
        PublicIntakeController,
        ClaimantsController,
        ClaimantPortalController,
        ClaimantEvidenceController,
        EvidenceController,
        ImportsController,
        FilingsController,
        FirmController,
        ...extraControllers,
      ],
      providers: [{ provide: APP_GUARD, useClass: AccessGuard }],
    };
  }
}
