import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { Vault } from './vault';

export const vaultProvider: Provider = {
  provide: Vault,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new Vault(config.piiKeys),
};
