import { z } from 'zod';
import { problems } from '../errors';

/** Every list answers `{items, nextCursor}` (DESIGN §2.1) with `?limit=&cursor=`. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
};

/** Cursors are opaque to clients: base64url JSON of the keyset position (e.g. {createdAt, id}). */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(
  schema: S,
  cursor: string | undefined,
): z.infer<S> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const result = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (result.success) return result.data;
  } catch {
    // fall through: a cursor that is not ours is a client error, not a crash
  }
  throw problems.badRequest('Invalid cursor', [
    { path: 'query.cursor', message: 'not a cursor issued by this API' },
  ]);
}
