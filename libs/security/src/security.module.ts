import { Module } from '@nestjs/common';
import { ReadAlarmService } from './alarm/read-alarm.service';
import { AuditService } from './audit/audit.service';
import { AuthService } from './auth/auth.service';
import { StaffSessionService } from './auth/staff-session.service';
import { FirmService } from './firms/firm.service';
import { RateLimiter } from './rate-limit/rate-limiter.service';
import { StaffService } from './staff/staff.service';
import { vaultProvider } from './vault/vault.provider';

const SERVICES = [
  AuditService,
  AuthService,
  StaffSessionService,
  StaffService,
  FirmService,
  RateLimiter,
  ReadAlarmService,
  vaultProvider,
];

@Module({ providers: SERVICES, exports: SERVICES })
export class SecurityModule {}
