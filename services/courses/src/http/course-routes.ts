import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import { createCourse } from '../domain/create-course';
import { deleteCourse } from '../domain/delete-course';
import { getCourse } from '../domain/get-course';
import { listCourses } from '../domain/list-courses';
import { updateCourse } from '../domain/update-course';
import type { UseCaseContext } from '../domain/use-case-context';
import { etagOf, versionsFromIfMatch } from './if-match';
import { courseParams, createCourseBody, listCoursesQuery, noBody, noQuery, updateCourseBody } from './request-schemas';

/** Courses: the catalogue, and the owner's (or an admin's) create / update / delete. */
export function courseRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
  const router = Router();

  router.post('/', auth.requireAuth, auth.requireRole('instructor', 'admin'), async (req, res) => {
    parseQuery(noQuery, req);
    const course = await createCourse(ctx, getAuth(req), parseBody(createCourseBody, req));
    res.status(201).location(`${req.baseUrl}/${course.id}`).set('ETag', etagOf(course.version)).json(course);
  });

  router.get('/', auth.requireAuth, async (req, res) => {
    res.json(await listCourses(ctx, getAuth(req), parseQuery(listCoursesQuery, req)));
  });

  router.get('/:id', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(courseParams, req);
    parseQuery(noQuery, req);
    const course = await getCourse(ctx, getAuth(req), id);
    res.set('ETag', etagOf(course.version)).json(course);
  });

  router.put('/:id', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(courseParams, req);
    parseQuery(noQuery, req);
    const changes = parseBody(updateCourseBody, req);
    const course = await updateCourse(ctx, getAuth(req), id, changes, versionsFromIfMatch(req.get('if-match')));
    res.set('ETag', etagOf(course.version)).json(course);
  });

  router.delete('/:id', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(courseParams, req);
    parseQuery(noQuery, req);
    parseBody(noBody, req);
    await deleteCourse(ctx, getAuth(req), id);
    res.status(204).end();
  });

  return router;
}
