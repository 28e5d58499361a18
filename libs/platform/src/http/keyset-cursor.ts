import { ValidationError } from '../errors/domain-error';

/**
 * Keyset pagination over (created_at DESC, id DESC): an opaque cursor names the position after the
 * last item of a page, so inserts at the head of the list never shift later pages (a row whose
 * transaction began before the reader's cursor position but committed later sorts behind it).
 *
 * The position keeps created_at to the microsecond, as PostgreSQL stores it: a JS Date would round
 * it to the millisecond, and rows created within the same millisecond would fall between pages.
 */

/** SQL for a row's position (microseconds since the epoch, exact), to select as `created_us`. */
export function keysetPositionSql(alias: string): string {
  return `(extract(epoch FROM ${alias}.created_at) * 1000000)::bigint::text`;
}

export function encodeCursor(createdUs: string, id: string): string {
  return Buffer.from(`${createdUs}|${id}`).toString('base64url');
}

/** The position a cursor names; 400 (`field: cursor`) for anything else. */
export function decodeCursor(cursor: string): { createdUs: string; id: string } {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,17})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(raw);
  if (!m) throw new ValidationError([{ field: 'cursor', message: 'invalid cursor' }]);
  return { createdUs: m[1], id: m[2] };
}

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of a newest-first list from rows fetched with `LIMIT limit + 1` (each with its
 * `created_us`, see {@link keysetPositionSql}): the extra row only says whether another page exists.
 */
export function keysetPage<R extends { created_us: string; id: string }, T>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => T,
): KeysetPage<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_us, last.id) : null,
  };
}

/**
 * The condition "after this cursor" on (created_at DESC, id DESC) of `alias` (index-friendly: the
 * right-hand side is a constant); `bind` adds a parameter and returns its placeholder.
 */
export function keysetAfter(cursor: string, bind: (value: unknown) => string, alias: string): string {
  const cur = decodeCursor(cursor);
  return (
    `(${alias}.created_at, ${alias}.id) < ` +
    `(timestamptz 'epoch' + ${bind(cur.createdUs)}::bigint * interval '1 microsecond', ${bind(cur.id)}::uuid)`
  );
}
