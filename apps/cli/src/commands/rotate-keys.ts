import { ClaimantKeyRotationService, EVIDENCE_KEY_PURPOSE, IMPORT_KEY_PURPOSE } from '@app/claimants';
import { FILING_DOCUMENT_KEY_PURPOSE } from '@app/filings';
import { Vault } from '@app/security';
import { withCliContext } from '../cli.module';

/**
 * Re-encrypts every row to the newest key version in batches while the app keeps serving.
 * Rotation: set PII_MASTER_KEY to `2:<new key>,1:<old key>` everywhere, restart, run this, then
 * drop the old key once it reports nothing left.
 */
export async function rotateKeysCommand(): Promise<number> {
  const result = await withCliContext(async (app) => {
    const vault = app.get(Vault);
    const tables = await app
      .get(ClaimantKeyRotationService)
      .rotateAll(500, (p) => process.stderr.write(`${p.table}: ${p.rotated} rotated\n`), [
        { table: 'evidence', purpose: EVIDENCE_KEY_PURPOSE },
        { table: 'imports', purpose: IMPORT_KEY_PURPOSE },
        { table: 'filing_documents', purpose: FILING_DOCUMENT_KEY_PURPOSE },
      ]);
    return { keyVersion: vault.currentVersion, tables };
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
