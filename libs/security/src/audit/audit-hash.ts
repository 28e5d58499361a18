import { createHash } from 'node:crypto';

export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** The fields an audit event's hash covers, as stored. */
export interface AuditHashFields {
  firmId: string | null;
  at: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
  sourceIp: string | null;
  details: unknown;
  retention: string;
  keepUntil: Date;
}

/** JSON with object keys sorted at every level (jsonb does not keep key order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256(prev_hash || canonical fields): each event seals the one before it. */
export function auditHash(prev: Buffer, f: AuditHashFields): Buffer {
  const body = canonicalJson([
    f.firmId,
    f.at.toISOString(),
    f.actorType,
    f.actorId,
    f.action,
    f.subjectType,
    f.subjectId,
    f.reason,
    f.sourceIp,
    f.details,
    f.retention,
    f.keepUntil.toISOString(),
  ]);
  return createHash('sha256').update(prev).update(body, 'utf8').digest();
}
