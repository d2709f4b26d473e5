import { join } from 'node:path';
import { Router } from 'express';
import { runMigrations } from '@moocflix/platform-db';
import { KIT_MIGRATIONS_DIR } from '@moocflix/platform-bus';
import type { ServiceModule } from '@moocflix/platform-http';
import { databaseReadiness, outboxRelayFor, type ServiceContext } from '@moocflix/platform-runtime';
import type { UseCaseContext } from './domain/use-case-context';
import { createCourseEventsConsumer } from './events/course-events-consumer';
import { assessmentRoutes } from './http/assessment-routes';
import { submissionRoutes } from './http/submission-routes';
import { assessmentsOpenApi } from './openapi';

export const ASSESSMENTS_BASE_PATH = '/api/v1/assessments';
const MIGRATIONS_DIR = join(__dirname, '../migrations');

/** Assessment: quizzes and assignments, submissions, grading, results; course projections. */
export async function createAssessmentsService(ctx: ServiceContext): Promise<ServiceModule> {
  await runMigrations(ctx.pool, [KIT_MIGRATIONS_DIR, MIGRATIONS_DIR], ctx.logger);
  const useCases: UseCaseContext = { pool: ctx.pool, eventSource: ctx.name, now: () => new Date() };
  const relay = outboxRelayFor(ctx);
  const courseEvents = createCourseEventsConsumer(ctx);

  const router = Router();
  router.use(assessmentRoutes(useCases, ctx.auth));
  router.use(submissionRoutes(useCases, ctx.auth));

  return {
    name: ctx.name,
    basePath: ASSESSMENTS_BASE_PATH,
    router,
    openapi: assessmentsOpenApi,
    readiness: [databaseReadiness(ctx.pool)],
    async start() {
      await relay.start();
      await courseEvents.start();
    },
    async stop() {
      await courseEvents.stop();
      await relay.stop();
    },
  };
}
