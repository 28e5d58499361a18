import { auditBody, canonicalJson, type AuditHashFields } from './audit-hash';

const base: AuditHashFields = {
  firmId: 'a3f1c1de-4b7e-4a52-9a4b-6c1c7d9e0f11',
  at: new Date('2026-11-30T01:02:03.456Z'),
  actorType: 'system',
  actorId: null,
  action: 'claimant.status_changed',
  subjectType: 'claimant',
  subjectId: 'b3f1c1de-4b7e-4a52-9a4b-6c1c7d9e0f11',
  reason: 'filed in filing "1차" (\\ tab\there)',
  sourceIp: null,
  details: { to: 'filed', from: 'approved', list: ['ㄱ', 'a\nb'], nested: { z: 1, a: null } },
  retention: 'access',
  keepUntil: new Date('2028-11-29T01:02:03.456Z'),
};

describe('auditBody', () => {
  // Stored chains were hashed over the canonical JSON array of the fields: the text must never change.
  const reference = (f: AuditHashFields): string =>
    canonicalJson([
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

  it.each([
    ['every field set, awkward text', base],
    ['nulls everywhere they may be', { ...base, firmId: null, subjectType: null, subjectId: null, reason: null }],
    ['empty details and an address', { ...base, details: {}, sourceIp: '203.0.113.7', actorId: 'c1' }],
    // a field missing at run time hashes as null, as canonicalJson (and the stored NULL) has it
    ['a field undefined despite the types', { ...base, actorId: undefined as unknown as null }],
  ])('is the canonical JSON array of the fields (%s), with or without shared parts', (_, f) => {
    expect(auditBody(f)).toBe(reference(f));
    const parts = { at: f.at.toISOString(), keepUntil: f.keepUntil.toISOString(), details: canonicalJson(f.details) };
    expect(auditBody(f, parts)).toBe(reference(f));
  });
});
