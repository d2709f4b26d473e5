import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import { enrollStudent } from '../domain/enroll-student';
import { listCourseEnrollments } from '../domain/list-course-enrollments';
import { listStudentEnrollments } from '../domain/list-student-enrollments';
import type { UseCaseContext } from '../domain/use-case-context';
import { courseEnrollmentsQuery, courseParams, noBody, noQuery, pageQuery } from './request-schemas';

/** Enrolling (students), a student's own courses, and a course's roster (its owner). */
export function enrollmentRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
  const router = Router();

  // Before `/:id` routes are mounted, so "enrolled" is never taken for a course id.
  router.get('/enrolled', auth.requireAuth, async (req, res) => {
    res.json(await listStudentEnrollments(ctx, getAuth(req), parseQuery(pageQuery, req)));
  });

  router.post('/:id/enroll', auth.requireAuth, auth.requireRole('student'), async (req, res) => {
    const { id } = parseParams(courseParams, req);
    parseQuery(noQuery, req);
    parseBody(noBody, req);
    const { enrollment, created } = await enrollStudent(ctx, getAuth(req), id);
    res.status(created ? 201 : 200).json(enrollment);
  });

  router.get('/:id/enrollments', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(courseParams, req);
    res.json(await listCourseEnrollments(ctx, getAuth(req), id, parseQuery(courseEnrollmentsQuery, req)));
  });

  return router;
}
