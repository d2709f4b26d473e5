import { z } from 'zod';
import { problems } from '@moocflix/platform-core/errors';
import { findDefectiveString } from './well-formed-input';

/** Every list answers `{items, nextCursor}` (docs/architecture.md#pagination) with `?limit=&cursor=`. */
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

/*
 * A cursor comes back from the client, so it is input like any other: a forged one (a date
 * PostgreSQL cannot hold, a number past an integer column, a wrong type, garbage) must be a 400,
 * never a query that fails with a 500. Cursors are not signed (a signing key would have to be
 * shared by every replica and survive restarts); instead every field is validated here, by types
 * that only admit what the keyset query can take. `decodeCursor` accepts only a `cursorSchema`
 * built from these fields, so a service cannot decode a cursor with a looser schema.
 */

declare const cursorFieldBrand: unique symbol;
/** A zod schema for one cursor field, made by `cursorField.*` only. */
export type CursorField<T = unknown> = z.ZodType<T> & { readonly [cursorFieldBrand]: true };

declare const cursorSchemaBrand: unique symbol;
/** A strict object of cursor fields, made by `cursorSchema` only. */
export type CursorSchema<T = unknown> = z.ZodType<T> & { readonly [cursorSchemaBrand]: true };

const field = <T>(schema: z.ZodType<T>) => schema as CursorField<T>;

/** PostgreSQL's `integer`: a larger position fails the query ("out of range for type integer"). */
export const INT4_MAX = 2_147_483_647;

/** The longest text a cursor field may carry (e.g. a title), whatever the field asks for. */
const MAX_TEXT = 1000;

export const cursorField = {
  /**
   * A `timestamptz` as `Date.toISOString()` writes it. Zod's ISO check admits the year 0000, which
   * PostgreSQL refuses (it has no year zero); the value is re-written canonically for the query.
   */
  timestamp: () =>
    field(
      z.iso
        .datetime()
        .refine((value) => !value.startsWith('0000'), { message: 'is outside the supported dates' })
        .transform((value) => new Date(value).toISOString()),
    ),
  uuid: () => field(z.uuid()),
  /** A whole number that fits an `integer` column, at least `min` (default 0). */
  integer: (min = 0) => field(z.number().int().min(min).max(INT4_MAX)),
  /** Text PostgreSQL can store (well-formed, no NUL: `decodeCursor` checks every string), at most `max` long. */
  text: (max = 200) => field(z.string().min(1).max(Math.min(max, MAX_TEXT))),
  oneOf: <const V extends readonly [string, ...string[]]>(values: V) => field(z.enum(values)),
};

/** The shape of a list's cursor: unknown members are refused. */
export function cursorSchema<F extends Record<string, CursorField>>(fields: F) {
  return z.strictObject(fields) as unknown as CursorSchema<{ [K in keyof F]: z.output<F[K]> }>;
}

/** The longest cursor string accepted, whatever the query schema allows. */
const MAX_CURSOR_LENGTH = 4096;

function invalidCursor(message = 'not a cursor issued by this API') {
  return problems.badRequest('Invalid cursor', [{ path: 'query.cursor', message }]);
}

/** The position a cursor holds, or undefined without one; anything this API did not issue is a 400. */
export function decodeCursor<T>(schema: CursorSchema<T>, cursor: string | undefined): T | undefined {
  if (cursor === undefined) return undefined;
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw invalidCursor();
  let decoded: unknown;
  try {
    const bytes = Buffer.from(cursor, 'base64url');
    // Strict UTF-8: invalid bytes would otherwise become U+FFFD and pass as text.
    decoded = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalidCursor();
  }
  const result = (schema as z.ZodType<T>).safeParse(decoded);
  if (!result.success || findDefectiveString(result.data, 'cursor')) throw invalidCursor();
  return result.data;
}
