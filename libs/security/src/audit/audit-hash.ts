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
  // Plain loops (no intermediate arrays): this runs for every audit event, 100,000 at a time in a filing.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(); // code-unit order, as a < b
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** The canonical text of an event's fields: what its hash covers after the previous hash. */
export function auditBody(f: AuditHashFields): string {
  return canonicalJson([
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
}

/** sha256(prev_hash || body): each event seals the one before it. */
export function chainHash(prev: Buffer, body: string): Buffer {
  return createHash('sha256').update(prev).update(body, 'utf8').digest();
}

/** sha256(prev_hash || canonical fields). */
export function auditHash(prev: Buffer, f: AuditHashFields): Buffer {
  return chainHash(prev, auditBody(f));
}
