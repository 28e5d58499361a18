import { Module } from '@nestjs/common';
import { SecurityModule } from '@app/security';
import { CaseService } from './case.service';

@Module({ imports: [SecurityModule], providers: [CaseService], exports: [CaseService] })
export class CasesModule {}
