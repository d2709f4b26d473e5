import type { Pool } from '@moocflix/platform-db';
import type { RecentCourses } from './recent-courses';

/** What every use case needs: the service's own database and its CloudEvents `source`. */
export interface UseCaseContext {
  pool: Pool;
  eventSource: string;
  /** The clock enrollment windows are checked against (tests may pin it). */
  now: () => Date;
  /** Courses recently read for enrolling: lets an enrollment wave take one round trip each. */
  recentCourses: RecentCourses;
  /** How long a module edit naming a video not yet in the videos projection waits for it (module-video.ts). */
  videoProjectionWait: { timeoutMs: number; intervalMs: number };
}
