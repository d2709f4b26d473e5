import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import { getOwnAttempt } from '../domain/get-attempt';
import { getResults } from '../domain/get-results';
import { getSubmission } from '../domain/get-submission';
import { gradeSubmission } from '../domain/grade-submission';
import { startAttempt } from '../domain/start-attempt';
import { submitAnswers } from '../domain/submit-answers';
import type { UseCaseContext } from '../domain/use-case-context';
import {
  assessmentParams,
  attemptParams,
  gradeBody,
  noBody,
  noQuery,
  resultsQuery,
  submissionParams,
  submitBody,
} from './request-schemas';

/** Starting and submitting attempts (enrolled students), grading them (the course owner), and results. */
export function submissionRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
  const router = Router();

  router.post('/:id/attempts', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(assessmentParams, req);
    parseQuery(noQuery, req);
    parseBody(noBody, req);
    const { attempt, created } = await startAttempt(ctx, getAuth(req), id);
    if (created) res.status(201).location(`${req.baseUrl}/${id}/attempts/${attempt.attempt}`);
    res.json(attempt);
  });

  router.get('/:id/attempts/:attempt', auth.requireAuth, async (req, res) => {
    const { id, attempt } = parseParams(attemptParams, req);
    parseQuery(noQuery, req);
    res.json(await getOwnAttempt(ctx, getAuth(req), id, attempt));
  });

  router.post('/:id/submit', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(assessmentParams, req);
    parseQuery(noQuery, req);
    const { answers } = parseBody(submitBody, req);
    const submission = await submitAnswers(ctx, getAuth(req), id, answers);
    res.status(201).location(`${req.baseUrl}/${id}/submissions/${submission.id}`).json(submission);
  });

  router.get('/:id/results', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(assessmentParams, req);
    res.json(await getResults(ctx, getAuth(req), id, parseQuery(resultsQuery, req)));
  });

  router.get('/:id/submissions/:submissionId', auth.requireAuth, async (req, res) => {
    const { id, submissionId } = parseParams(submissionParams, req);
    parseQuery(noQuery, req);
    res.json(await getSubmission(ctx, getAuth(req), { assessmentId: id, submissionId }));
  });

  router.post('/:id/submissions/:submissionId/grade', auth.requireAuth, async (req, res) => {
    const { id, submissionId } = parseParams(submissionParams, req);
    parseQuery(noQuery, req);
    const decision = parseBody(gradeBody, req);
    res.json(await gradeSubmission(ctx, getAuth(req), { assessmentId: id, submissionId }, decision));
  });

  return router;
}
