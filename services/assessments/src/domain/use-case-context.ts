import type { Pool } from '@moocflix/platform-db';

/** What every use case needs: the service's own database and its CloudEvents `source`. */
export interface UseCaseContext {
  pool: Pool;
  eventSource: string;
  /** The clock due dates are checked against. */
  now: () => Date;
}
