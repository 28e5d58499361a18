import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PlatformModule, type AppConfig } from '@app/platform';
import { SecurityModule } from '@app/security';
import { CasesModule } from '@app/cases';
import { ClaimantsModule } from '@app/claimants';
import { CasesController } from './controllers/cases.controller';
import { ClaimantPortalController } from './controllers/claimant-portal.controller';
import { ClaimantsController } from './controllers/claimants.controller';
import { PublicIntakeController } from './controllers/public-intake.controller';
import { AuditController } from './controllers/audit.controller';
import { AuthController } from './controllers/auth.controller';
import { CourtFeesController } from './controllers/court-fees.controller';
import { HealthController } from './controllers/health.controller';
import { StaffController } from './controllers/staff.controller';
import { SystemController } from './controllers/system.controller';
import { AccessGuard } from './http/access.guard';

@Module({})
export class ApiModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [PlatformModule.forRoot(config, 'api'), SecurityModule, CasesModule, ClaimantsModule, DiscoveryModule],
      controllers: [
        HealthController,
        SystemController,
        AuthController,
        StaffController,
        AuditController,
        CourtFeesController,
        CasesController,
        PublicIntakeController,
        ClaimantsController,
        ClaimantPortalController,
      ],
      providers: [{ provide: APP_GUARD, useClass: AccessGuard }],
    };
  }
}
