import { join } from 'node:path';
import { Router } from 'express';
import { runMigrations } from '@moocflix/platform-db';
import { KIT_MIGRATIONS_DIR } from '@moocflix/platform-bus';
import type { ServiceModule } from '@moocflix/platform-http';
import { databaseReadiness, outboxRelayFor, type ServiceContext } from '@moocflix/platform-runtime';
import { RecentCourses } from './domain/recent-courses';
import type { UseCaseContext } from './domain/use-case-context';
import { createUserEventsConsumer } from './events/user-events-consumer';
import { createVideoEventsConsumer } from './events/video-events-consumer';
import { courseRoutes } from './http/course-routes';
import { enrollmentRoutes } from './http/enrollment-routes';
import { moduleRoutes } from './http/module-routes';
import { progressRoutes } from './http/progress-routes';
import { coursesOpenApi } from './openapi';

export const COURSES_BASE_PATH = '/api/v1/courses';
const MIGRATIONS_DIR = join(__dirname, '../migrations');

/** Course Management: courses, modules, enrollments, and local projections of users and videos. */
export async function createCoursesService(ctx: ServiceContext): Promise<ServiceModule> {
  await runMigrations(ctx.pool, [KIT_MIGRATIONS_DIR, MIGRATIONS_DIR], ctx.logger);
  const useCases: UseCaseContext = {
    pool: ctx.pool,
    eventSource: ctx.name,
    now: () => new Date(),
    recentCourses: new RecentCourses(),
    // About twice the outbox relay + bus delay seen under load; past it the video is taken as unknown.
    videoProjectionWait: { timeoutMs: 2_000, intervalMs: 50 },
  };
  const relay = outboxRelayFor(ctx);
  const userEvents = createUserEventsConsumer(ctx);
  const videoEvents = createVideoEventsConsumer(ctx);

  const router = Router();
  // Enrollment routes first: their `/enrolled` must not be read as a course id.
  router.use(enrollmentRoutes(useCases, ctx.auth));
  router.use(courseRoutes(useCases, ctx.auth));
  router.use(moduleRoutes(useCases, ctx.auth));
  router.use(progressRoutes(useCases, ctx.auth));

  return {
    name: ctx.name,
    basePath: COURSES_BASE_PATH,
    router,
    openapi: coursesOpenApi,
    readiness: [databaseReadiness(ctx.pool)],
    async start() {
      await relay.start();
      await userEvents.start();
      await videoEvents.start();
    },
    async stop() {
      await videoEvents.stop();
      await userEvents.stop();
      await relay.stop();
    },
  };
}
