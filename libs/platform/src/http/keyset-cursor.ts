import { ValidationError } from '../errors/domain-error';

/**
 * Opaque keyset cursor over (created_at DESC, id DESC): the position after the last item of a page.
 * Lists that page this way never skip or repeat a row when others are inserted meanwhile.
 */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

/** The position a cursor names; 400 (`field: cursor`) for anything else. */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/.exec(raw);
  if (!m) throw new ValidationError([{ field: 'cursor', message: 'invalid cursor' }]);
  return { createdAt: m[1], id: m[2] };
}

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of a newest-first list from rows fetched with `LIMIT limit + 1` after {@link keysetAfter}:
 * the extra row only says whether another page exists.
 */
export function keysetPage<R extends { created_at: Date; id: string }, T>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => T,
): KeysetPage<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

/**
 * The condition "after this cursor" on (created_at DESC, id DESC) of `alias`; `bind` adds a
 * parameter and returns its placeholder.
 */
export function keysetAfter(cursor: string, bind: (value: unknown) => string, alias: string): string {
  const cur = decodeCursor(cursor);
  return `(${alias}.created_at, ${alias}.id) < (${bind(cur.createdAt)}::timestamptz, ${bind(cur.id)}::uuid)`;
}
