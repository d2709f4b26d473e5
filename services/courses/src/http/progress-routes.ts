import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import { getCourseProgress, getProgressSummary, recordProgress } from '../domain/learner-progress';
import type { UseCaseContext } from '../domain/use-case-context';
import { courseParams, moduleParams, noQuery, progressBody } from './request-schemas';

/** A learner's own progress in the modules of a course they are enrolled in (the player, "My courses"). */
export function progressRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
  const router = Router();

  router.put('/:id/modules/:moduleId/progress', auth.requireAuth, async (req, res) => {
    const { id, moduleId } = parseParams(moduleParams, req);
    parseQuery(noQuery, req);
    res.json(await recordProgress(ctx, getAuth(req), id, moduleId, parseBody(progressBody, req)));
  });

  router.get('/:id/progress', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(courseParams, req);
    parseQuery(noQuery, req);
    res.json(await getCourseProgress(ctx, getAuth(req), id));
  });

  router.get('/:id/progress/summary', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(courseParams, req);
    parseQuery(noQuery, req);
    res.json(await getProgressSummary(ctx, getAuth(req), id));
  });

  return router;
}
