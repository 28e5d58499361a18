export { DATA_CATEGORIES, isDataCategory, type DataCategory } from './data-category';
export { type FieldError } from './field-error';
export {
  CLAIM_MODES,
  DEFAULT_CLAIM_MODE,
  MAX_SECONDARY_HARM_MULTIPLIER,
  STATUTORY_DAMAGES_CAP_KRW,
  resolveClaimRules,
  validateClaimRules,
  type ClaimMode,
  type ClaimRules,
  type ClaimRulesValidation,
  type ResolvedClaimRules,
  type SecondaryHarmMultiplier,
} from './claim-rules';
export {
  computeClaim,
  type ClaimBreakdownLine,
  type ClaimComponent,
  type ClaimResult,
  type ClaimantFacts,
} from './claim-amount';
export { claimRuleParameters, type ClaimRuleParameters } from './claim-rule-parameters';
export {
  DEFAULT_FEE_SCHEDULE,
  DIVISIONS,
  FEE_SCHEDULES,
  isIsoDate,
  scheduleFor,
  validateFeeSchedule,
  type Division,
  type FeeSchedule,
  type StampDutyBracket,
} from './fee-schedule';
export { divisionFor } from './division';
export { paperStampDutyKrw, stampDutyKrw } from './stamp-duty';
export {
  DEFAULT_SERVICE_COUNT_MODE,
  SERVICE_COUNT_MODES,
  serviceFeeKrw,
  serviceParties,
  type ServiceCountMode,
} from './service-fee';
export {
  computeCourtFees,
  validateCourtFeeInput,
  type CourtFeeInput,
  type CourtFeeInputValidation,
  type CourtFees,
} from './court-fees';
export { isNonNegativeSafeInteger } from './safe-integer';
export {
  EXCLUDED_STATUSES,
  RECOMPUTE_RESULTS_SQL,
  claimableSql,
  recomputeStatementParams,
} from './recompute/recompute-statement';
export {
  claimResultJoinSql,
  currentClaimGeneration,
  generationTable,
  lockClaimGenerations,
  replaceClaimGeneration,
  retireClaimGenerations,
  type ClaimGeneration,
  type GenerationFill,
  type ReplacedGeneration,
} from './recompute/claim-generations';
export { ClaimRecomputeRepository, type RecomputeStatus } from './recompute/claim-recompute.repository';
export {
  ClaimRecomputeService,
  type ClaimRecomputeView,
  type ClaimSummary,
  type ClaimTotalsView,
  type RecomputeRunContext,
} from './recompute/claim-recompute.service';
export { ClaimRecomputeHandler } from './recompute/claim-recompute.job';
export { ClaimsModule } from './recompute/claims.module';
export { CourtFeeSchedules, loadFeeSchedules } from './fee-schedules-config';
