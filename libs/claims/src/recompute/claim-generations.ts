import type { DataSource, EntityManager } from 'typeorm';

/**
 * Claim results are stored by generation. Each recompute of a case writes a whole new generation
 * into a table of its own, `claimant_claims_g<N>` (no index while it fills: the same work as a
 * plain INSERT ... SELECT), builds that table's primary key in one sorted pass and records it in
 * `claim_generations` as the case's current generation, replacing the previous one, all in the
 * recompute's transaction. Readers first look up the case's current generation
 * ({@link currentClaimGeneration}) and then join its table by name ({@link claimResultJoinSql}):
 * they see the old results until the recompute commits and the new ones after, never a mix, and
 * touch one small table whatever the number of cases. A replaced generation is dropped only after
 * a grace period ({@link retireClaimGenerations}), so a reader between its two steps never finds
 * its table gone.
 */

type Db = DataSource | EntityManager;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GENERATION_TABLE_RE = /^claimant_claims_g(\d{1,18})$/;

/** Serializes writers of one case's generations (the recompute takes it too); two-int key space. */
const CASE_LOCK = 7310003;
/** One retirement at a time (session lock, tried, never waited for). */
const RETIRE_LOCK = [7310004, 1] as const;

export interface ClaimGeneration {
  generation: string;
  /** The generation's table: `claimant_claims_g<generation>`, digits only. */
  table: string;
  /** The rule version every result of the generation was computed under. */
  ruleVersion: number;
}

/** The table holding one generation (an identifier made of digits only). */
export function generationTable(generation: string): string {
  if (!/^\d{1,18}$/.test(generation)) throw new Error(`not a claim generation: ${generation}`);
  return `claimant_claims_g${generation}`;
}

/**
 * The case's current generation; null before its first recompute. `lock` (inside a transaction)
 * holds it FOR SHARE until the commit: a recompute replacing it waits.
 */
export async function currentClaimGeneration(
  db: Db,
  caseId: string,
  opts: { lock?: boolean } = {},
): Promise<ClaimGeneration | null> {
  const sql = `SELECT generation::text AS generation, rule_version FROM claim_generations
                WHERE case_id = $1 AND replaced_at IS NULL${opts.lock ? ' FOR SHARE' : ''}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const rows = await db.query<{ generation: string; rule_version: number }[]>(sql, [caseId]);
    const r = rows[0];
    if (r) return { generation: r.generation, table: generationTable(r.generation), ruleVersion: r.rule_version };
    if (!opts.lock) return null;
    // FOR SHARE that waited on a recompute replacing the row finds it replaced and skips it; the
    // new current row is outside that statement's snapshot, so ask again with a new one.
    const any = await db.query<unknown[]>(`SELECT 1 FROM claim_generations WHERE case_id = $1 LIMIT 1`, [caseId]);
    if (any.length === 0) return null;
  }
  throw new Error(`the claim generation of case ${caseId} kept changing`);
}

/** Serializes writers of the case's generations until the end of the transaction. */
export async function lockClaimGenerations(tx: EntityManager, caseId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${CASE_LOCK}, hashtext($1))`, [caseId]);
}

/**
 * SQL joining claimants (alias `claimant`) to their results in `generation` (alias `result`:
 * claimant_id, amount_krw, breakdown). Without a generation, a `LEFT` join yields NULLs and an
 * `INNER` join no rows.
 */
export function claimResultJoinSql(
  generation: ClaimGeneration | null,
  claimant: string,
  result: string,
  kind: 'LEFT' | 'INNER' = 'LEFT',
): string {
  const join = kind === 'LEFT' ? 'LEFT JOIN' : 'JOIN';
  if (!generation) {
    return `${join} (SELECT NULL::uuid AS claimant_id, NULL::bigint AS amount_krw, NULL::jsonb AS breakdown) ${result} ON false`;
  }
  return `${join} ${generationTable(generation.generation)} ${result} ON ${result}.claimant_id = ${claimant}.id`;
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
 * Writes a new generation of a case's results from `fill` and makes it current. Runs in the
 * caller's transaction, whose commit publishes it; takes the case's writer lock itself.
 */
export async function replaceClaimGeneration(
  tx: EntityManager,
  target: { firmId: string; caseId: string; ruleVersion: number },
  fill: GenerationFill,
): Promise<ReplacedGeneration> {
  if (!UUID_RE.test(target.caseId) || !UUID_RE.test(target.firmId)) throw new Error('firm and case ids must be UUIDs');
  if (!Number.isSafeInteger(target.ruleVersion)) throw new Error('the rule version must be an integer');
  await lockClaimGenerations(tx, target.caseId);
  const current = await currentClaimGeneration(tx, target.caseId, { lock: true });
  const [{ generation }] = await tx.query<{ generation: string }[]>(
    `SELECT nextval('claim_generation_seq')::text AS generation`,
  );
  const table = generationTable(generation);
  await tx.query(
    `CREATE TABLE ${table} (
       claimant_id uuid NOT NULL,
       amount_krw  bigint NOT NULL CHECK (amount_krw >= 0),
       breakdown   jsonb NOT NULL
     )`,
  );
  await tx.query(
    `INSERT INTO ${table} (claimant_id, amount_krw, breakdown)
     SELECT s.claimant_id, s.amount_krw, s.breakdown FROM (${fill.sql}) AS s`,
    fill.params,
  );
  // One pass over the new table, still in memory: cheaper than RETURNING every row of the insert.
  const [totals] = await tx.query<{ claimants: number; total_krw: string; max_krw: string }[]>(
    `SELECT count(*)::int AS claimants, coalesce(sum(amount_krw), 0)::text AS total_krw,
            coalesce(max(amount_krw), 0)::text AS max_krw
       FROM ${table}`,
  );
  // One sorted build instead of a million random insertions into a live index.
  await tx.query(`ALTER TABLE ${table} ADD PRIMARY KEY (claimant_id)`);
  let changed = totals.claimants;
  let cleared = 0;
  if (current) {
    const [diff] = await tx.query<{ changed: number; cleared: number }[]>(
      `SELECT count(*) FILTER (WHERE n.claimant_id IS NOT NULL AND ($1::boolean OR o.claimant_id IS NULL
                OR (n.amount_krw, n.breakdown) IS DISTINCT FROM (o.amount_krw, o.breakdown)))::int AS changed,
              count(*) FILTER (WHERE n.claimant_id IS NULL)::int AS cleared
         FROM ${table} n FULL JOIN ${current.table} o ON o.claimant_id = n.claimant_id`,
      [current.ruleVersion !== target.ruleVersion],
    );
    changed = diff.changed + diff.cleared;
    cleared = diff.cleared;
    // clock_timestamp(), not now(): the grace period runs from here, not from the transaction's start.
    await tx.query(`UPDATE claim_generations SET replaced_at = clock_timestamp() WHERE generation = $1`, [
      current.generation,
    ]);
  }
  await tx.query(`INSERT INTO claim_generations (generation, case_id, firm_id, rule_version) VALUES ($1, $2, $3, $4)`, [
    generation,
    target.caseId,
    target.firmId,
    target.ruleVersion,
  ]);
  return {
    generation,
    previous: current?.generation ?? null,
    rows: totals.claimants,
    changed,
    cleared,
    totals: { claimants: totals.claimants, totalKrw: totals.total_krw, maxKrw: totals.max_krw },
  };
}

/**
 * Drops the generations replaced more than `graceSeconds` ago (and any generation-named table no
 * generation row accounts for, e.g. one squatting on a name). One retirement at a time: a caller
 * finding another at work returns 0 at once. Each DROP gives up after a few seconds of waiting for
 * readers (lock_timeout) and is tried again next time. Returns how many tables it dropped.
 */
export async function retireClaimGenerations(ds: DataSource, graceSeconds: number): Promise<number> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [...RETIRE_LOCK])) as {
      locked: boolean;
    }[];
    if (!locked) return 0;
    try {
      await runner.query(`SET lock_timeout = '5s'`);
      const stale = (await runner.query(
        `SELECT c.relname AS name
           FROM pg_class c
           LEFT JOIN claim_generations g ON 'claimant_claims_g' || g.generation = c.relname
          WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
            AND c.relname ~ '^claimant_claims_g[0-9]+$'
            AND (g.generation IS NULL OR g.replaced_at < now() - make_interval(secs => $1))`,
        [graceSeconds],
      )) as { name: string }[];
      let dropped = 0;
      for (const t of stale) {
        const m = GENERATION_TABLE_RE.exec(t.name);
        if (!m) continue;
        try {
          // Row and table go together, or neither does.
          await runner.startTransaction();
          await runner.query(`DELETE FROM claim_generations WHERE generation = $1 AND replaced_at IS NOT NULL`, [m[1]]);
          await runner.query(`DROP TABLE IF EXISTS ${generationTable(m[1])}`);
          await runner.commitTransaction();
          dropped++;
        } catch {
          // still in use (lock_timeout) or gone already: the next retirement tries again
          if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        }
      }
      return dropped;
    } finally {
      await runner.query(`RESET lock_timeout`);
      await runner.query(`SELECT pg_advisory_unlock($1, $2)`, [...RETIRE_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
