/**
 * Roles and what each may do: the whole permission matrix, in one place.
 * Least privilege: a permission not listed for a role is denied.
 */
export const ROLES = ['admin', 'attorney', 'paralegal'] as const;
export type Role = (typeof ROLES)[number];

export const Permission = Object.freeze({
  FirmManage: 'firm.manage',
  StaffManage: 'staff.manage',
  AuditRead: 'audit.read',
  CaseRead: 'case.read',
  CaseWrite: 'case.write',
  ClaimantRead: 'claimant.read',
  /** Decrypted personal data of one claimant (audited, counted by the read-volume alarm). */
  ClaimantReadPersonal: 'claimant.read-personal',
  ClaimantTransition: 'claimant.transition',
  ClaimantMerge: 'claimant.merge',
  /** A new portal token for a claimant who lost theirs (the old one and its sessions end). */
  ClaimantTokenReissue: 'claimant.token-reissue',
  EvidenceReview: 'evidence.review',
  EvidenceDownload: 'evidence.download',
  ImportCreate: 'import.create',
  ClaimsRecompute: 'claims.recompute',
  FeesRead: 'fees.read',
  FilingCreate: 'filing.create',
  FilingRead: 'filing.read',
  FilingDownload: 'filing.download',
  SystemPing: 'system.ping',
} as const);
export type Permission = (typeof Permission)[keyof typeof Permission];

const P = Permission;

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  // Firm settings, staff, cases, audit.
  admin: [P.FirmManage, P.StaffManage, P.AuditRead, P.CaseRead, P.CaseWrite, P.FeesRead, P.SystemPing],
  // Cases, claimants, filings.
  attorney: [
    P.CaseRead,
    P.CaseWrite,
    P.ClaimantRead,
    P.ClaimantReadPersonal,
    P.ClaimantTransition,
    P.ClaimantMerge,
    P.ClaimantTokenReissue,
    P.EvidenceReview,
    P.EvidenceDownload,
    P.ClaimsRecompute,
    P.FeesRead,
    P.FilingCreate,
    P.FilingRead,
    P.FilingDownload,
  ],
  // Claimants, evidence, imports, filings.
  paralegal: [
    P.CaseRead,
    P.ClaimantRead,
    P.ClaimantReadPersonal,
    P.ClaimantTransition,
    P.ClaimantMerge,
    P.ClaimantTokenReissue,
    P.EvidenceReview,
    P.EvidenceDownload,
    P.ImportCreate,
    P.ClaimsRecompute,
    P.FeesRead,
    P.FilingCreate,
    P.FilingRead,
    P.FilingDownload,
  ],
});

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
