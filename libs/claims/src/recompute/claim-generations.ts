import type { DataSource, EntityManager } from 'typeorm';

/**
 * Claim results are stored by generation. `claimant_claims` is partitioned by `generation`; each
 * recompute of a case writes a whole new generation into a table of its own (no index while it
 * fills: the same work as a plain INSERT ... SELECT), builds that table's primary key in one sorted
 * pass, attaches it as a partition and makes it the case's current generation
 * (`claim_generations`), all in the recompute's transaction. Readers join through
 * `claim_generations`, so they see the old results until that transaction commits and the new
 * ones after, never a mix. The previous generation is detached (CONCURRENTLY, so readers are never
 * blocked) and dropped after the commit, by {@link retireClaimGenerations}.
 *
 * Attaching takes only a SHARE UPDATE EXCLUSIVE lock on `claimant_claims` (readers go on); the
 * CHECK constraint on the new table lets PostgreSQL skip the validation scan.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GENERATION_TABLE_RE = /^claimant_claims_g(\d{1,18})$/;

/** The table holding one generation (an identifier made of digits only). */
export function generationTable(generation: string): string {
  if (!/^\d{1,18}$/.test(generation)) throw new Error(`not a claim generation: ${generation}`);
  return `claimant_claims_g${generation}`;
}

/**
 * SQL joining a claimant (alias `claimant`) to its current result (alias `result`, columns
 * amount_krw and breakdown; the rule version is the generation's, see {@link claimRuleVersionSql}).
 * `LEFT` keeps claimants without a result.
 */
export function claimResultJoinSql(claimant: string, result: string, kind: 'LEFT' | 'INNER' = 'LEFT'): string {
  const join = kind === 'LEFT' ? 'LEFT JOIN' : 'JOIN';
  return `${join} claim_generations ${result}_gen ON ${result}_gen.case_id = ${claimant}.case_id
          ${join} claimant_claims ${result} ON ${result}.generation = ${result}_gen.generation AND ${result}.claimant_id = ${claimant}.id`;
}

/** The rule version of a claimant's current result (NULL without one), after {@link claimResultJoinSql}. */
export function claimRuleVersionSql(result: string): string {
  return `CASE WHEN ${result}.claimant_id IS NOT NULL THEN ${result}_gen.rule_version END`;
}

export interface GenerationFill {
  /** A SELECT producing `claimant_id uuid, amount_krw bigint, breakdown jsonb`, one row per claimant. */
  sql: string;
  params: unknown[];
}

export interface ReplacedGeneration {
  generation: string;
  previous: string | null;
  /** Results in the new generation. */
  rows: number;
  /** Results new or different from the previous generation, plus results it no longer has. */
  changed: number;
  /** Results of the previous generation the new one no longer has (claimants who left the arithmetic). */
  cleared: number;
  /** Count, total and largest amount of the new generation (exact decimal strings). */
  totals: { claimants: number; totalKrw: string; maxKrw: string };
}

/**
 * Writes a new generation of a case's results from `fill` and makes it current. Must run in a
 * transaction that serializes recomputes of the case; the caller's commit publishes it.
 */
export async function replaceClaimGeneration(
  tx: EntityManager,
  target: { firmId: string; caseId: string; ruleVersion: number },
  fill: GenerationFill,
): Promise<ReplacedGeneration> {
  if (!UUID_RE.test(target.caseId) || !UUID_RE.test(target.firmId)) throw new Error('firm and case ids must be UUIDs');
  if (!Number.isSafeInteger(target.ruleVersion)) throw new Error('the rule version must be an integer');
  const current = await tx.query<{ generation: string; rule_version: number }[]>(
    `SELECT generation::text AS generation, rule_version FROM claim_generations WHERE case_id = $1 FOR UPDATE`,
    [target.caseId],
  );
  const previous = current[0]?.generation ?? null;
  const ruleVersionChanged = previous !== null && current[0].rule_version !== target.ruleVersion;
  const [{ generation }] = await tx.query<{ generation: string }[]>(
    `SELECT nextval('claim_generation_seq')::text AS generation`,
  );
  const table = generationTable(generation);
  await tx.query(
    `CREATE TABLE ${table} (LIKE claimant_claims INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
                            CHECK (generation = ${generation}))`,
  );
  await tx.query(
    `INSERT INTO ${table} (generation, claimant_id, amount_krw, breakdown)
     SELECT ${generation}, s.claimant_id, s.amount_krw, s.breakdown FROM (${fill.sql}) AS s`,
    fill.params,
  );
  // One pass over the new table, still in memory: cheaper than RETURNING every row of the insert.
  const [totals] = await tx.query<{ claimants: number; total_krw: string; max_krw: string }[]>(
    `SELECT count(*)::int AS claimants, coalesce(sum(amount_krw), 0)::text AS total_krw,
            coalesce(max(amount_krw), 0)::text AS max_krw
       FROM ${table}`,
  );
  const rows = totals.claimants;
  // One sorted build instead of a million random insertions into a live index.
  await tx.query(`ALTER TABLE ${table} ADD PRIMARY KEY (claimant_id)`);
  let changed = rows;
  let cleared = 0;
  if (previous !== null) {
    const [diff] = await tx.query<{ changed: number; cleared: number }[]>(
      `SELECT count(*) FILTER (WHERE n.claimant_id IS NOT NULL AND ($1::boolean OR o.claimant_id IS NULL
                OR (n.amount_krw, n.breakdown) IS DISTINCT FROM (o.amount_krw, o.breakdown)))::int AS changed,
              count(*) FILTER (WHERE n.claimant_id IS NULL)::int AS cleared
         FROM ${table} n FULL JOIN ${generationTable(previous)} o ON o.claimant_id = n.claimant_id`,
      [ruleVersionChanged],
    );
    changed = diff.changed + diff.cleared;
    cleared = diff.cleared;
  }
  await tx.query(`ALTER TABLE claimant_claims ATTACH PARTITION ${table} FOR VALUES IN (${generation})`);
  await tx.query(
    `INSERT INTO claim_generations (case_id, firm_id, generation, rule_version) VALUES ($1, $2, $3, $4)
     ON CONFLICT (case_id) DO UPDATE
        SET generation = EXCLUDED.generation, rule_version = EXCLUDED.rule_version, created_at = now()`,
    [target.caseId, target.firmId, generation, target.ruleVersion],
  );
  return {
    generation,
    previous,
    rows,
    changed,
    cleared,
    totals: { claimants: totals.claimants, totalKrw: totals.total_krw, maxKrw: totals.max_krw },
  };
}

/** Session advisory lock key (two-int space, apart from the platform's single-bigint locks). */
const RETIRE_LOCK = [7310004, 1] as const;

/**
 * Detaches and drops every generation no case points at any more (the ones a recompute replaced,
 * and any left behind by a crash). Runs outside a transaction on a connection of its own:
 * DETACH ... CONCURRENTLY waits for readers still using the old generation instead of blocking new
 * ones. One retirement at a time (a session advisory lock; a second caller waits its turn, then
 * finds nothing left to do). Returns how many generations it dropped.
 */
export async function retireClaimGenerations(ds: DataSource): Promise<number> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock($1, $2)`, [...RETIRE_LOCK]);
    try {
      const stale = (await runner.query(
        `SELECT c.relname AS name, i.inhrelid IS NOT NULL AS attached, coalesce(i.inhdetachpending, false) AS pending
           FROM pg_class c
           LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'claimant_claims'::regclass
          WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
            AND c.relname ~ '^claimant_claims_g[0-9]+$'
            AND NOT EXISTS (SELECT 1 FROM claim_generations g WHERE 'claimant_claims_g' || g.generation = c.relname)`,
      )) as { name: string; attached: boolean; pending: boolean }[];
      let dropped = 0;
      for (const t of stale) {
        const m = GENERATION_TABLE_RE.exec(t.name);
        if (!m) continue;
        const table = generationTable(m[1]);
        if (t.attached) {
          await runner.query(
            `ALTER TABLE claimant_claims DETACH PARTITION ${table} ${t.pending ? 'FINALIZE' : 'CONCURRENTLY'}`,
          );
        }
        await runner.query(`DROP TABLE IF EXISTS ${table}`);
        dropped++;
      }
      return dropped;
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1, $2)`, [...RETIRE_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
