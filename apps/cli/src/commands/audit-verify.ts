import { AuditService } from '@app/security';
import { withCliContext } from '../cli.module';

/** Exit 0 when every chain holds; 1 naming the first broken event otherwise. */
export async function auditVerifyCommand(): Promise<number> {
  const result = await withCliContext((app) => app.get(AuditService).verifyAll());
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!result.ok) {
    process.stderr.write(
      `audit chain broken at event ${result.firstBrokenId}: it was changed outside the application\n`,
    );
    return 1;
  }
  return 0;
}
