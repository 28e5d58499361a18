import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PlatformModule, type AppConfig } from '@app/platform';
import { SecurityModule } from '@app/security';
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
      imports: [PlatformModule.forRoot(config, 'api'), SecurityModule, DiscoveryModule],
      controllers: [
        HealthController,
        SystemController,
        AuthController,
        StaffController,
        AuditController,
        CourtFeesController,
      ],
      providers: [{ provide: APP_GUARD, useClass: AccessGuard }],
    };
  }
}
