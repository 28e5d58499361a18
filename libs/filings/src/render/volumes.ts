import type { Writable } from 'node:stream';
import { renderClaimTable } from './claim-table';
import { renderEvidenceList } from './evidence-list';
import { renderPlaintiffList } from './plaintiff-list';
import type { EvidenceItem, PdfRenderOptions, PlaintiffEvidenceRow, PlaintiffRow } from './types';

/**
 * Splitting long annexes into volumes (권) for electronic filing, whose per-file limit is not
 * published reliably (10 MB is the safe assumption, domain.md §3).
 *
 * Approach: every volume's title says "(i/n)", so n must be known before the first page is written,
 * and rows arrive from a cursor that cannot be rewound. The caller therefore passes `totalRows`
 * (counted in the same snapshot), and the plan is fixed up front:
 *
 *   rowLimit = min(maxRows, floor((maxBytes - fixedBytes) / bytesPerRow))
 *   n        = ceil(totalRows / rowLimit)            (at least 1)
 *   per volume ceil(totalRows / n) rows, the last one the rest (balanced: 12,000 rows at 5,000 ->
 *   3 volumes of 4,000, not 5,000 + 5,000 + 2,000).
 *
 * `fixedBytes` bounds what a PDF costs regardless of its rows, chiefly the embedded font subset
 * (measured: every one of the 2,350 common Hangul syllables in regular and bold is well under 1.5 MB
 * compressed); `bytesPerRow` is a measured per-row cost with a safety margin of about 2x for long
 * addresses (see BYTES_PER_ROW_ESTIMATE). With the defaults the row limit (5,000) binds long before the
 * byte budget (10 MB): a 5,000-row plaintiff list is about 0.5 MB. The byte limit only binds when
 * a caller lowers maxBytes or raises maxRows. Each result reports the bytes actually written and
 * `withinByteLimit`; a caller that sees false can re-render with a larger `bytesPerRow`.
 *
 * Rows are pulled one at a time from the shared iterator into the current volume (nothing is
 * buffered); volumes are rendered one after another into the streams `openVolume` returns. Page
 * numbers restart at 1 in every volume (each volume is a file of its own). A row count that does
 * not match `totalRows` is an error (the "(i/n)" titles would be wrong): the source is closed and
 * the call rejects after the volume in progress.
 */
export type VolumeKind = 'plaintiff-list' | 'claim-table' | 'evidence-list';

export const DEFAULT_MAX_VOLUME_BYTES = 10_000_000;
export const DEFAULT_MAX_VOLUME_ROWS = 5_000;
/** Upper bound of the per-document overhead (fonts, page tree, xref). */
export const FIXED_BYTES_ESTIMATE = 1_500_000;
/** Bytes per row with a safety margin (measured on Korean names and addresses; evidence: per plaintiff with ~3 items). */
export const BYTES_PER_ROW_ESTIMATE: Readonly<Record<VolumeKind, number>> = {
  'plaintiff-list': 200,
  'claim-table': 100,
  'evidence-list': 600,
};

export interface VolumeLimits {
  /** Budget per volume file, bytes (default 10,000,000). */
  maxBytes?: number;
  /** Rows per volume at most (default 5,000). */
  maxRows?: number;
  /** Override of {@link BYTES_PER_ROW_ESTIMATE} for this kind. */
  bytesPerRow?: number;
  /** Override of {@link FIXED_BYTES_ESTIMATE}. */
  fixedBytes?: number;
}

export interface VolumePlan {
  volumes: number;
  /** Rows in every volume but the last (which holds the rest). */
  rowsPerVolume: number;
  /** Row limit from maxRows and the byte budget. */
  rowLimit: number;
  maxBytes: number;
}

export interface VolumeOptions extends VolumeLimits, PdfRenderOptions {
  /** Exact number of rows the iterator yields. */
  totalRows: number;
}

export interface VolumeResult {
  volume: number;
  of: number;
  pages: number;
  bytes: number;
  rows: number;
  withinByteLimit: boolean;
}

export interface VolumesResult {
  plan: VolumePlan;
  volumes: VolumeResult[];
  rows: number;
  /** claim-table: the grand total of the amounts. */
  totalKrw?: number;
  /** evidence-list: the next free 갑 제N호증 number. */
  nextEvidenceNumber?: number;
}

export type OpenVolume = (volume: number, of: number) => Writable | Promise<Writable>;

function positive(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer`);
  return value;
}

/** How many volumes and how many rows each; see the approach above. */
export function planVolumes(kind: VolumeKind, totalRows: number, limits: VolumeLimits = {}): VolumePlan {
  if (!Number.isSafeInteger(totalRows) || totalRows < 0)
    throw new RangeError('totalRows must be a non-negative integer');
  const maxBytes = positive(limits.maxBytes ?? DEFAULT_MAX_VOLUME_BYTES, 'maxBytes');
  const maxRows = positive(limits.maxRows ?? DEFAULT_MAX_VOLUME_ROWS, 'maxRows');
  const bytesPerRow = positive(limits.bytesPerRow ?? BYTES_PER_ROW_ESTIMATE[kind], 'bytesPerRow');
  const fixedBytes = limits.fixedBytes ?? FIXED_BYTES_ESTIMATE;
  const byBytes = Math.floor((maxBytes - fixedBytes) / bytesPerRow);
  if (byBytes < 1)
    throw new RangeError(`maxBytes ${maxBytes} leaves no room for rows after ${fixedBytes} bytes of overhead`);
  const rowLimit = Math.min(maxRows, byBytes);
  const volumes = Math.max(1, Math.ceil(totalRows / rowLimit));
  return { volumes, rowsPerVolume: Math.ceil(totalRows / volumes), rowLimit, maxBytes };
}

/** Up to `n` items pulled from a shared iterator; finishing early does not close the source. */
async function* take<T>(source: AsyncIterator<T>, n: number, seen: { count: number }): AsyncGenerator<T> {
  for (let i = 0; i < n; i++) {
    const next = await source.next();
    if (next.done) return;
    seen.count += 1;
    yield next.value;
  }
}

function iteratorOf<T>(rows: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in rows) return rows[Symbol.asyncIterator]();
  const it = rows[Symbol.iterator]();
  return {
    next: () => Promise.resolve(it.next()),
    return: (value?: unknown) => Promise.resolve(it.return?.(value) ?? { done: true as const, value: undefined }),
  };
}

export function renderVolumes(
  kind: 'plaintiff-list' | 'claim-table',
  rows: AsyncIterable<PlaintiffRow> | Iterable<PlaintiffRow>,
  opts: VolumeOptions,
  openVolume: OpenVolume,
): Promise<VolumesResult>;
export function renderVolumes(
  kind: 'evidence-list',
  rows: AsyncIterable<PlaintiffEvidenceRow> | Iterable<PlaintiffEvidenceRow>,
  opts: VolumeOptions & { caseEvidence: EvidenceItem[] },
  openVolume: OpenVolume,
): Promise<VolumesResult>;
/**
 * Renders an annex in volumes: `openVolume(i, n)` gives the stream of volume i (ended by the
 * renderer). Memory stays flat: one row at a time, one volume at a time.
 */
export async function renderVolumes(
  kind: VolumeKind,
  rows: AsyncIterable<PlaintiffRow | PlaintiffEvidenceRow> | Iterable<PlaintiffRow | PlaintiffEvidenceRow>,
  opts: VolumeOptions & { caseEvidence?: EvidenceItem[] },
  openVolume: OpenVolume,
): Promise<VolumesResult> {
  const plan = planVolumes(kind, opts.totalRows, opts);
  const source = iteratorOf(rows);
  const seen = { count: 0 };
  const results: VolumeResult[] = [];
  const common = { creationDate: opts.creationDate, firstPageNumber: opts.firstPageNumber };
  let totalKrw = 0;
  let nextEvidenceNumber = (opts.caseEvidence?.length ?? 0) + 1;
  try {
    for (let index = 1; index <= plan.volumes; index++) {
      const want = index < plan.volumes ? plan.rowsPerVolume : opts.totalRows - plan.rowsPerVolume * (plan.volumes - 1);
      const slice = take(source, want, seen);
      const volume = { index, of: plan.volumes };
      const out = await openVolume(index, plan.volumes);
      const priorRows = seen.count;
      let rendered: { pages: number; bytes: number; rows: number };
      if (kind === 'plaintiff-list') {
        rendered = await renderPlaintiffList(slice as AsyncIterable<PlaintiffRow>, { ...common, volume }, out);
      } else if (kind === 'claim-table') {
        const r = await renderClaimTable(
          slice as AsyncIterable<PlaintiffRow>,
          { ...common, volume, priorTotals: { rows: priorRows, totalKrw } },
          out,
        );
        totalKrw += r.totalKrw;
        rendered = r;
      } else {
        const r = await renderEvidenceList(
          { caseEvidence: opts.caseEvidence ?? [] },
          slice as AsyncIterable<PlaintiffEvidenceRow>,
          { ...common, volume, firstPlaintiffEvidenceNumber: nextEvidenceNumber },
          out,
        );
        nextEvidenceNumber = r.nextEvidenceNumber;
        rendered = r;
      }
      results.push({
        volume: index,
        of: plan.volumes,
        pages: rendered.pages,
        bytes: rendered.bytes,
        rows: rendered.rows,
        withinByteLimit: rendered.bytes <= plan.maxBytes,
      });
      if (rendered.rows !== want) {
        throw new RangeError(`totalRows is ${opts.totalRows} but the rows ended after ${seen.count}`);
      }
    }
    const extra = await source.next();
    if (!extra.done) throw new RangeError(`totalRows is ${opts.totalRows} but there are more rows`);
  } catch (err) {
    await source.return?.().catch(() => undefined);
    throw err;
  }
  return {
    plan,
    volumes: results,
    rows: seen.count,
    ...(kind === 'claim-table' ? { totalKrw } : {}),
    ...(kind === 'evidence-list' ? { nextEvidenceNumber } : {}),
  };
}
