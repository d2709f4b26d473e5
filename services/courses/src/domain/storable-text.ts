import { z } from 'zod';

/**
 * A string PostgreSQL can store: `text` cannot hold NUL characters, and a query given one fails.
 * Every client-supplied string that reaches a query goes through this, so such input is a 400,
 * never a 500.
 */
export const storableText = () =>
  z.string().refine((value) => !value.includes('\u0000'), { message: 'must not contain NUL characters' });
