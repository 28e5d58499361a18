import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  currentClaimGeneration,
  lockClaimGenerations,
  replaceClaimGeneration,
  retireClaimGenerations,
} from '@app/claims';
import type { PlaintiffRow } from '@app/filings';
import type { Vault } from '@app/security';

const SURNAMES =
  '김이박최정강조윤장임한오서신권황안송류홍전고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현'.split('');
const GIVEN = '민서준지현우예도하윤수연은진영호성재희태경주아린유나채원시율건혁승찬규빈다솔한결이안'.split('');
const PLACES = [
  '서울특별시 강남구 테헤란로',
  '서울특별시 송파구 올림픽로',
  '부산광역시 해운대구 센텀중앙로',
  '경기도 성남시 분당구 판교역로',
  '인천광역시 연수구 컨벤시아대로',
  '대구광역시 수성구 달구벌대로',
  '광주광역시 서구 상무중앙로',
  '대전광역시 유성구 대학로',
];
const APT = ['래미안', '자이', '힐스테이트', '푸르지오', '아이파크', '더샵', '롯데캐슬', 'e편한세상'];

/** A deterministic synthetic Korean plaintiff (name, postal code, road address, unit, amount). */
export function syntheticPlaintiff(number: number): PlaintiffRow {
  let seed = (number * 2654435761) % 2147483648;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  return {
    number,
    name: SURNAMES[next(SURNAMES.length)] + GIVEN[next(GIVEN.length)] + GIVEN[next(GIVEN.length)],
    postalCode: String(next(63000) + 1000).padStart(5, '0'),
    address1: `${PLACES[next(PLACES.length)]} ${1 + next(600)}`,
    address2: `${101 + next(30)}동 ${1 + next(30)}0${1 + next(4)}호 (${APT[next(APT.length)]}아파트)`,
    amountKrw: [100_000, 200_000, 300_000][next(3)],
  };
}

export interface SeededClaimant {
  id: string;
  name: string;
}

/**
 * Inserts `count` approved claimants of a case in bulk (multi-row INSERT from arrays), with name
 * and address encrypted by the vault exactly as intake stores them and a stored claim amount, as if
 * the claims recompute had run. Names and addresses are synthetic Korean ones (deterministic per
 * `firstNumber + i`). Returns ids and names in insertion (= filing) order.
 */
export async function seedApprovedClaimants(
  ds: DataSource,
  vault: Vault,
  opts: { firmId: string; caseId: string; count: number; firstNumber?: number; batch?: number },
): Promise<SeededClaimant[]> {
  const first = opts.firstNumber ?? 1;
  const batch = opts.batch ?? 2000;
  const seeded: SeededClaimant[] = [];
  const amounts = { ids: [] as string[], amounts: [] as number[] };
  const base = Date.now() - opts.count * 10;
  for (let start = 0; start < opts.count; start += batch) {
    const n = Math.min(batch, opts.count - start);
    const cols = {
      id: [] as string[],
      reference: [] as string[],
      name: [] as string[],
      address: [] as string[],
      amount: [] as number[],
      created: [] as Date[],
    };
    for (let i = 0; i < n; i++) {
      const k = start + i;
      const row = syntheticPlaintiff(first + k);
      const id = randomUUID();
      const at = (column: string) => ({ table: 'claimants', column, rowId: id });
      cols.id.push(id);
      cols.reference.push(`SD-${id.slice(0, 8).toUpperCase()}-${first + k}`);
      cols.name.push(vault.encrypt(at('name_enc'), row.name));
      cols.address.push(
        vault.encrypt(
          at('address_enc'),
          JSON.stringify({ postalCode: row.postalCode, line1: row.address1, line2: row.address2 }),
        ),
      );
      cols.amount.push(row.amountKrw);
      cols.created.push(new Date(base + k * 10));
      seeded.push({ id, name: row.name });
    }
    await ds.query(
      `INSERT INTO claimants (id, firm_id, case_id, reference, status, source, name_enc, address_enc, created_at)
       SELECT u.id, $1, $2, u.reference, 'approved', 'import', u.name_enc, u.address_enc, u.created_at
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
              AS u(id, reference, name_enc, address_enc, created_at)`,
      [opts.firmId, opts.caseId, cols.id, cols.reference, cols.name, cols.address, cols.created],
    );
    amounts.ids.push(...cols.id);
    amounts.amounts.push(...cols.amount);
  }
  await storeClaimAmounts(ds, opts, amounts.ids, amounts.amounts);
  return seeded;
}

/**
 * As a claims recompute would: stores these claimants' amounts (breakdown: the base line) as the
 * case's new claim generation, keeping the other claimants' current results.
 */
export async function storeClaimAmounts(
  ds: DataSource,
  target: { firmId: string; caseId: string },
  ids: readonly string[],
  amounts: readonly number[],
): Promise<void> {
  await ds.transaction(async (tx) => {
    // The case lock first, as a recompute takes it: the other order could deadlock with one.
    await lockClaimGenerations(tx, target.caseId);
    const current = await currentClaimGeneration(tx, target.caseId, { lock: true });
    const kept = current
      ? `SELECT k.claimant_id, k.amount_krw, k.breakdown FROM ${current.table} k
          WHERE NOT (k.claimant_id = ANY ($1::uuid[]))
         UNION ALL `
      : '';
    await replaceClaimGeneration(
      tx,
      { ...target, ruleVersion: current?.ruleVersion ?? 1 },
      {
        sql: `${kept}SELECT a.id AS claimant_id, a.amount AS amount_krw,
                     jsonb_build_array(jsonb_build_object('component', 'base', 'amountKrw', a.amount)) AS breakdown
                FROM unnest($1::uuid[], $2::bigint[]) AS a(id, amount)`,
        params: [ids, amounts],
      },
    );
  });
  await retireClaimGenerations(ds, 0);
}
