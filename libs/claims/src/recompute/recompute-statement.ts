import type { ClaimRuleParameters } from '../claim-rule-parameters';

/**
 * Who gets a claim: every claimant of the case except the merged-away duplicates, those who
 * withdrew, and those a reviewer rejected (`rejected` may only become `withdrawn`, so it never
 * reaches a filing; a claim amount on it would only inflate the case's 소가). Excluded claimants
 * have their stored claim cleared, so a case's totals are the plain sum of the stored amounts.
 */
export const EXCLUDED_STATUSES = ['withdrawn', 'rejected'] as const;

/** SQL predicate over `claimants` aliased `alias`: the claimant takes part in the claim arithmetic. */
export function claimableSql(alias: string): string {
  return `(${alias}.merged_into IS NULL AND ${alias}.status NOT IN (${EXCLUDED_STATUSES.map((s) => `'${s}'`).join(', ')}))`;
}

/**
 * The results of one case under one rule version: ONE set-based SELECT (no loop over claimants),
 * the fill of a new claim generation (see `replaceClaimGeneration`).
 *
 *   statutory: amount = LEAST(cap, base + Σ additions of the exposed categories) + loss × multiplier
 *   actual:    amount = LEAST(cap, base + Σ additions + loss × multiplier)
 *
 * with the breakdown built as `computeClaim` builds it: `base`, then `addition:<category>` in
 * DATA_CATEGORIES order (non-zero additions only), `secondaryHarm` and `secondaryHarmPunitive`
 * (loss > 0; the punitive line only for a multiplier > 1), and `cap` as a negative line (before
 * the loss lines in statutory mode, after them in actual mode).
 * Every value comes from {@link claimRuleParameters} as a bind parameter; categories and additions
 * are aligned arrays read with `unnest ... WITH ORDINALITY`. Money is `bigint` throughout.
 *
 * The additions subquery depends only on `exposed_data`, which has few distinct values in a case
 * (at most 64 sets), so PostgreSQL memoizes it: one evaluation per distinct array, not per claimant.
 * It also yields the complete breakdown of a claimant without accepted loss, so for most claimants
 * no JSON is built per row at all. Only claimants inside {@link claimableSql} get a result.
 *
 * Parameters: $1 firm id, $2 case id, $3 rule version, $4 base, $5 categories text[],
 * $6 additions bigint[], $7 multiplier, $8 cap (NULL: none), $9 statutory mode. Columns: claimant_id, amount_krw,
 * breakdown, rule_version.
 */
export const RECOMPUTE_RESULTS_SQL = `
SELECT x.id AS claimant_id,
       CASE WHEN $9::boolean THEN LEAST(x.statutory_krw, $8::bigint) + x.loss_total_krw
            ELSE LEAST(x.statutory_krw + x.loss_total_krw, $8::bigint) END AS amount_krw,
       CASE WHEN x.loss_krw = 0 THEN x.lines_without_loss
            WHEN $9::boolean THEN x.lines_without_loss || ll.lines
            ELSE x.lines || ll.lines
                 || CASE WHEN x.statutory_krw + x.loss_total_krw > $8::bigint THEN jsonb_build_array(jsonb_build_object(
                      'component', 'cap', 'amountKrw', $8::bigint - x.statutory_krw - x.loss_total_krw))
                    ELSE '[]'::jsonb END
       END AS breakdown,
       $3::int AS rule_version
  FROM (
    SELECT cl.id,
           a.lines,
           a.lines_without_loss,
           coalesce(l.loss_krw, 0) AS loss_krw,
           coalesce(l.loss_krw, 0) * $7::bigint AS loss_total_krw,
           $4::bigint + a.additions_krw AS statutory_krw
      FROM claimants AS cl
     -- Depends on exposed_data only: memoized per distinct array.
     CROSS JOIN LATERAL (
       SELECT s.additions_krw,
              s.lines,
              -- the whole breakdown of a claimant without accepted loss
              s.lines || CASE WHEN $4::bigint + s.additions_krw > $8::bigint THEN jsonb_build_array(
                           jsonb_build_object('component', 'cap', 'amountKrw', $8::bigint - $4::bigint - s.additions_krw))
                         ELSE '[]'::jsonb END AS lines_without_loss
         FROM (
           SELECT coalesce(sum(r.amount_krw), 0)::bigint AS additions_krw,
                  jsonb_build_array(jsonb_build_object('component', 'base', 'amountKrw', $4::bigint))
                  || coalesce(jsonb_agg(jsonb_build_object(
                                'component', 'addition:' || r.category, 'amountKrw', r.amount_krw) ORDER BY r.ord),
                              '[]'::jsonb) AS lines
             FROM unnest($5::text[], $6::bigint[]) WITH ORDINALITY AS r(category, amount_krw, ord)
            WHERE r.amount_krw > 0 AND r.category = ANY (cl.exposed_data)
         ) AS s
     ) AS a
      LEFT JOIN (
        SELECT e.claimant_id, sum(e.loss_krw)::bigint AS loss_krw
          FROM evidence AS e
         WHERE e.firm_id = $1 AND e.case_id = $2 AND e.claimant_id IS NOT NULL
           AND e.status = 'accepted' AND e.deleted_at IS NULL
         GROUP BY e.claimant_id
      ) AS l ON l.claimant_id = cl.id
     WHERE cl.firm_id = $1 AND cl.case_id = $2 AND ${claimableSql('cl')}
  ) AS x
  -- The secondary-harm lines (none without accepted loss).
  CROSS JOIN LATERAL (
    SELECT CASE WHEN x.loss_krw = 0 THEN '[]'::jsonb
                ELSE jsonb_build_array(jsonb_build_object('component', 'secondaryHarm', 'amountKrw', x.loss_krw))
                     || CASE WHEN $7::bigint > 1 THEN jsonb_build_array(jsonb_build_object(
                          'component', 'secondaryHarmPunitive', 'amountKrw', x.loss_krw * ($7::bigint - 1)))
                        ELSE '[]'::jsonb END
           END AS lines
  ) AS ll`;

/** The bind parameters of {@link RECOMPUTE_RESULTS_SQL}, in order. */
export function recomputeStatementParams(firmId: string, caseId: string, p: ClaimRuleParameters): unknown[] {
  return [
    firmId,
    caseId,
    p.ruleVersion,
    p.baseAmountKrw,
    p.categories,
    p.additionsKrw,
    p.secondaryHarmMultiplier,
    p.capKrw,
    p.mode === 'statutory',
  ];
}
