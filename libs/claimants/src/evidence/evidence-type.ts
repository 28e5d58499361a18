/** The only file types taken as evidence, decided by their first bytes alone. */
export const EVIDENCE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'application/pdf'] as const;
export type EvidenceContentType = (typeof EVIDENCE_CONTENT_TYPES)[number];

export const EVIDENCE_EXTENSION: Readonly<Record<EvidenceContentType, string>> = Object.freeze({
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/pdf': 'pdf',
});

const SIGNATURES: readonly { type: EvidenceContentType; magic: Buffer }[] = [
  { type: 'image/png', magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', magic: Buffer.from([0xff, 0xd8, 0xff]) },
  { type: 'application/pdf', magic: Buffer.from('%PDF-', 'ascii') },
];

/** Bytes needed to tell the types apart (the longest signature). */
export const SNIFF_BYTES = Math.max(...SIGNATURES.map((s) => s.magic.length));

/**
 * The type of a file from its first bytes, or undefined. The name and the declared content type
 * of an upload are never consulted: a script renamed `x.png` is not a PNG.
 */
export function sniffEvidenceType(head: Buffer): EvidenceContentType | undefined {
  for (const s of SIGNATURES) {
    if (head.length >= s.magic.length && head.subarray(0, s.magic.length).equals(s.magic)) return s.type;
  }
  return undefined;
}
