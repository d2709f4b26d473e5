import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import { createAssessment } from '../domain/create-assessment';
import { getAssessment } from '../domain/get-assessment';
import { listCourseAssessments } from '../domain/list-course-assessments';
import type { UseCaseContext } from '../domain/use-case-context';
import { assessmentParams, createAssessmentBody, listAssessmentsQuery, noQuery } from './request-schemas';

/** Creating assessments (the course owner), reading one, and a course's list. */
export function assessmentRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
  const router = Router();

  router.post('/', auth.requireAuth, async (req, res) => {
    parseQuery(noQuery, req);
    const assessment = await createAssessment(ctx, getAuth(req), parseBody(createAssessmentBody, req));
    res.status(201).location(`${req.baseUrl}/${assessment.id}`).json(assessment);
  });

  router.get('/', auth.requireAuth, async (req, res) => {
    res.json(await listCourseAssessments(ctx, getAuth(req), parseQuery(listAssessmentsQuery, req)));
  });

  router.get('/:id', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(assessmentParams, req);
    parseQuery(noQuery, req);
    res.json((await getAssessment(ctx, getAuth(req), id)).view);
  });

  return router;
}
