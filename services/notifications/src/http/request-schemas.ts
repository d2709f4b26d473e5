import { z } from 'zod';
import { paginationQuery } from '@moocflix/platform-http';

/** Every query, path and body of the API; objects are strict, so an unknown field is a 400. */
export const inboxQuery = z.strictObject({
  ...paginationQuery,
  /** true: only unread notifications. */
  unread: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});
export const notificationParams = z.strictObject({ id: z.uuid() });
export const noQuery = z.strictObject({});
/** The read routes take no body; an empty JSON object is tolerated. */
export const noBody = z.strictObject({});
