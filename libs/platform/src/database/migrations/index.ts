import { Foundation1763769600000 } from './1763769600000-foundation';
import { Security1763769700000 } from './1763769700000-security';
import { Intake1763769800000 } from './1763769800000-intake';
import { EvidenceCrypto1763769850000 } from './1763769850000-evidence-crypto';
import { Claims1763769900000 } from './1763769900000-claims';
import { Filings1763770000000 } from './1763770000000-filings';
import { Imports1763770500000 } from './1763770500000-imports';
import { ClaimantsFillfactor1763770600000 } from './1763770600000-claimants-fillfactor';
import { ClaimantClaims1763770700000 } from './1763770700000-claimant-claims';
import { VelocityIndex1763770800000 } from './1763770800000-velocity-index';
import { AuditRetention1763770900000 } from './1763770900000-audit-retention';
import { RedundantFirmKeys1763771000000 } from './1763771000000-redundant-firm-keys';
import { FilingPlaintiffKeys1763771100000 } from './1763771100000-filing-plaintiff-keys';
import { IdempotencyClaimant1763771200000 } from './1763771200000-idempotency-claimant';
import { FlagsNameLiveClaimants1763771300000 } from './1763771300000-flags-name-live-claimants';

/** Every migration, oldest first. Timestamped names; never edit one that has shipped. */
export const MIGRATIONS = [
  Foundation1763769600000,
  Security1763769700000,
  Intake1763769800000,
  EvidenceCrypto1763769850000,
  Claims1763769900000,
  Filings1763770000000,
  Imports1763770500000,
  ClaimantsFillfactor1763770600000,
  ClaimantClaims1763770700000,
  VelocityIndex1763770800000,
  AuditRetention1763770900000,
  RedundantFirmKeys1763771000000,
  FilingPlaintiffKeys1763771100000,
  IdempotencyClaimant1763771200000,
  FlagsNameLiveClaimants1763771300000,
];
