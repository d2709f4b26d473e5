import type { Pool } from '@moocflix/platform-db';

/** What the inbox use cases need: the service's own database and a clock. */
export interface UseCaseContext {
  pool: Pool;
  now: () => Date;
}
