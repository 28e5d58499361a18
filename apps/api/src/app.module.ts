import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type AppConfig } from '@app/platform';
import { HealthController } from './controllers/health.controller';
import { SystemController } from './controllers/system.controller';

@Module({})
export class ApiModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [PlatformModule.forRoot(config, 'api')],
      controllers: [HealthController, SystemController],
    };
  }
}
