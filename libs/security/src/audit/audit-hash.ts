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

/** Parts of an event's canonical text that a writer of many events can work out once and share. */
export interface AuditBodyParts {
  /** `at.toISOString()` */
  at: string;
  /** `keepUntil.toISOString()` */
  keepUntil: string;
  /** `canonicalJson(details)` */
  details: string;
}

/** As canonicalJson for a string field: null (and undefined, should one slip past the types) -> null. */
const json = (v: string | null | undefined): string => (v == null ? 'null' : JSON.stringify(v));

/**
 * The canonical text of an event's fields (the canonical JSON array of them): what its hash covers
 * after the previous hash. `parts`, when given, must be those of `f`.
 */
export function auditBody(f: AuditHashFields, parts?: AuditBodyParts): string {
  const at = parts ? parts.at : f.at.toISOString();
  const keepUntil = parts ? parts.keepUntil : f.keepUntil.toISOString();
  const details = parts ? parts.details : canonicalJson(f.details);
  return (
    `[${json(f.firmId)},${json(at)},${json(f.actorType)},${json(f.actorId)},${json(f.action)},` +
    `${json(f.subjectType)},${json(f.subjectId)},${json(f.reason)},${json(f.sourceIp)},${details},` +
    `${json(f.retention)},${json(keepUntil)}]`
  );
}

/** sha256(prev_hash || body): each event seals the one before it. */
export function chainHash(prev: Buffer, body: string): Buffer {
  return createHash('sha256').update(prev).update(body, 'utf8').digest();
}

/** sha256(prev_hash || canonical fields). */
export function auditHash(prev: Buffer, f: AuditHashFields): Buffer {
  return chainHash(prev, auditBody(f));
}
