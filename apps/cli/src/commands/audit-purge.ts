import { AuditService } from '@app/security';
import { withCliContext } from '../cli.module';

/** Removes audit events past their retention (the worker also does it every AUDIT_PURGE_INTERVAL_HOURS). */
export async function auditPurgeCommand(): Promise<number> {
  const result = await withCliContext((app) => app.get(AuditService).purgeExpired());
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
