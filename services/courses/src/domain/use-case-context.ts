import type { Pool } from '@moocflix/platform/db';

/** What every use case needs: the service's own database and its CloudEvents `source`. */
export interface UseCaseContext {
  pool: Pool;
  eventSource: string;
  /** The clock enrollment windows are checked against (tests may pin it). */
  now: () => Date;
}
