export type {
  ClaimTableResult,
  ComplaintInput,
  CounselInfo,
  DefendantInfo,
  EvidenceItem,
  EvidenceListResult,
  ListRenderOptions,
  ListRenderResult,
  PdfRenderOptions,
  PdfRenderResult,
  PlaintiffEvidenceRow,
  PlaintiffRow,
  VolumeInfo,
} from './types';
export { formatAmount, formatCourtDate, formatWon } from './won';
export {
  DEFAULT_CLAIM_TEXT_TEMPLATE,
  DEFAULT_CLAIM_TEXT_VALUES,
  defaultClaimText,
  fillTemplate,
  templatePlaceholders,
} from './claim-text';
export {
  DEFAULT_ATTACHMENTS,
  DEFAULT_CASE_NAME,
  DEFAULT_INTEREST_RATES,
  claimPrayer,
  renderComplaint,
  type ComplaintOptions,
  type InterestRates,
} from './complaint';
export { PLAINTIFF_LIST_TITLE, renderPlaintiffList } from './plaintiff-list';
export { CLAIM_TABLE_TITLE, renderClaimTable, type ClaimTableOptions } from './claim-table';
export {
  EVIDENCE_LIST_TITLE,
  caseEvidenceLabel,
  plaintiffEvidenceLabel,
  renderEvidenceList,
  type EvidenceListOptions,
} from './evidence-list';
export {
  PARTY_LIST_HEADERS,
  XLSX_MAX_ROWS,
  csvField,
  writePartyListCsv,
  writePartyListXlsx,
  type PartyListResult,
} from './party-list';
export {
  BYTES_PER_ROW_ESTIMATE,
  DEFAULT_MAX_VOLUME_BYTES,
  DEFAULT_MAX_VOLUME_ROWS,
  FIXED_BYTES_ESTIMATE,
  planVolumes,
  renderVolumes,
  type OpenVolume,
  type VolumeKind,
  type VolumeLimits,
  type VolumeOptions,
  type VolumePlan,
  type VolumeResult,
  type VolumesResult,
} from './volumes';
export { MARGINS as COURT_MARGINS, MM, PAGE as A4_PAGE, hangulFontPaths } from './pdf-layout';
