/** The documents of a filing batch (api.md "Filings"), their media types and file names. */
export const DOCUMENT_KINDS = [
  'complaint',
  'plaintiff-list',
  'claim-table',
  'evidence-list',
  'party-list-xlsx',
  'party-list-csv',
  'manifest',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const CONTENT_TYPE: Readonly<Record<DocumentKind, string>> = Object.freeze({
  complaint: 'application/pdf',
  'plaintiff-list': 'application/pdf',
  'claim-table': 'application/pdf',
  'evidence-list': 'application/pdf',
  'party-list-xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'party-list-csv': 'text/csv; charset=utf-8',
  manifest: 'application/json',
});

const EXTENSION: Readonly<Record<DocumentKind, string>> = Object.freeze({
  complaint: 'pdf',
  'plaintiff-list': 'pdf',
  'claim-table': 'pdf',
  'evidence-list': 'pdf',
  'party-list-xlsx': 'xlsx',
  'party-list-csv': 'csv',
  manifest: 'json',
});

/** Korean names the paralegals see (and the court portal gets). */
const TITLE_KO: Readonly<Record<DocumentKind, string>> = Object.freeze({
  complaint: '소장',
  'plaintiff-list': '원고목록',
  'claim-table': '청구금액표',
  'evidence-list': '입증방법목록',
  'party-list-xlsx': '당사자목록',
  'party-list-csv': '당사자목록',
  manifest: '문서목록',
});

/**
 * Documents that carry plaintiffs' personal data (names, addresses). The complaint names only the
 * count; the manifest only hashes.
 */
export const PERSONAL_KINDS: readonly DocumentKind[] = [
  'plaintiff-list',
  'claim-table',
  'evidence-list',
  'party-list-xlsx',
  'party-list-csv',
];

/** A label made safe for a file name: no path separators, control or reserved characters. */
export function fileLabel(label: string): string {
  const safe = label
    .normalize('NFC')
    .replace(/[\\/:*?"<>|\p{Cc}]+/gu, '_')
    .replace(/\s+/g, '_')
    .replace(/^[._]+|[._]+$/g, '');
  return safe.length > 0 ? safe.slice(0, 60) : 'filing';
}

/** "소장_1차.pdf", "원고목록_1차_2-3.pdf" (volume 2 of 3). */
export function documentFileName(kind: DocumentKind, label: string, volume: number, volumes: number): string {
  const part = volumes > 1 ? `_${volume}-${volumes}` : '';
  return `${TITLE_KO[kind]}_${fileLabel(label)}${part}.${EXTENSION[kind]}`;
}

/** ASCII fallback for old clients: "complaint.pdf", "plaintiff-list-2-3.pdf". */
export function asciiFileName(kind: DocumentKind, volume: number, volumes: number): string {
  const base = kind.replace(/-(xlsx|csv)$/, '');
  const part = volumes > 1 ? `-${volume}-${volumes}` : '';
  return `${base}${part}.${EXTENSION[kind]}`;
}

/** RFC 5987 / 6266: `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded UTF-8>`. */
export function contentDisposition(fileName: string, fallback: string): string {
  const encoded = encodeURIComponent(fileName).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const ascii = fallback.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
