import { AuditService } from '@app/security';
import { withCliContext } from '../cli.module';

/**
 * Removes audit events past their retention (the worker also does it every AUDIT_PURGE_INTERVAL_HOURS);
 * exit 1 when a chain could not be purged (the others were).
 */
export async function auditPurgeCommand(): Promise<number> {
  const result = await withCliContext((app) => app.get(AuditService).purgeExpired());
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const f of result.failures) process.stderr.write(`audit purge: ${f}\n`);
  return result.failures.length > 0 ? 1 : 0;
}
