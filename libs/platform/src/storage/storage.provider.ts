import type { Provider } from '@nestjs/common';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FILE_STORAGE, type FileStorage } from './file-storage';
import { LocalFileStorage } from './local-file-storage';

/** Files under `${DATA_DIR}/files`. An S3-compatible driver would be chosen here by config. */
export const fileStorageProvider: Provider = {
  provide: FILE_STORAGE,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): FileStorage => new LocalFileStorage(join(config.dataDir, 'files')),
};
