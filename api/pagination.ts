/**
 * Keyset pagination, newest first. The cursor is opaque to clients (base64url of
 * `<created_at ISO>|<id>`) so the ordering key can change without breaking them; keyset rather
 * than offset so pages stay stable while rows are inserted and cost the same at any depth.
 */
import { ValidationError } from './errors';
import type { PaginationQuery } from './schemas/common';

/** The ordering key every paginated table has. */
export interface CursorKey {
  created_at: Date;
  id: string;
}

/** A page as the API answers it. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Prisma `findMany` arguments for one page: merge `where` into the caller's filter. */
export interface PageArgs {
  where: { OR?: ({ created_at: { lt: Date } } | { created_at: Date; id: { lt: string } })[] };
  orderBy: ({ created_at: 'desc' } | { id: 'desc' })[];
  take: number;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(`${key.created_at.toISOString()}|${key.id}`, 'utf8').toString('base64url');
}

/** Reads a cursor back; anything not produced by `encodeCursor` is a 400 on `cursor`. */
export function decodeCursor(cursor: string): CursorKey {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const iso = text.slice(0, bar);
  const id = text.slice(bar + 1);
  const createdAt = new Date(iso);
  // Round-tripping the timestamp rejects every string we did not write ourselves.
  if (bar < 0 || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) {
    throw invalidCursor();
  }
  if (!ID_PATTERN.test(id)) throw invalidCursor();
  return { created_at: createdAt, id };
}

/**
 * `findMany` arguments for the page after `query.cursor`. Fetches one extra row so `toPage`
 * knows whether another page follows without a count query.
 */
export function pageArgs(query: PaginationQuery): PageArgs {
  const orderBy: PageArgs['orderBy'] = [{ created_at: 'desc' }, { id: 'desc' }];
  if (!query.cursor) return { where: {}, orderBy, take: query.limit + 1 };
  const after = decodeCursor(query.cursor);
  return {
    where: {
      OR: [
        { created_at: { lt: after.created_at } },
        { created_at: after.created_at, id: { lt: after.id } },
      ],
    },
    orderBy,
    take: query.limit + 1,
  };
}

/** Cuts the rows fetched with `pageArgs` to `limit` and sets `next_cursor`. */
export function toPage<Row extends CursorKey, T>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => T,
): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  const hasMore = rows.length > limit && last !== undefined;
  return { data: pageRows.map(toItem), next_cursor: hasMore ? encodeCursor(last) : null };
}

function invalidCursor(): ValidationError {
  return new ValidationError([{ path: 'cursor', message: 'invalid cursor' }], 'query');
}
