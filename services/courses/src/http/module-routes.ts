import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import { addModule } from '../domain/add-module';
import { listModules } from '../domain/list-modules';
import { removeModule } from '../domain/remove-module';
import { updateModule } from '../domain/update-module';
import type { UseCaseContext } from '../domain/use-case-context';
import { courseParams, createModuleBody, moduleParams, noBody, noQuery, pageQuery, updateModuleBody } from './request-schemas';

/** A course's modules: readable with the course, editable by its owner. */
export function moduleRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
  const router = Router();

  router.get('/:id/modules', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(courseParams, req);
    res.json(await listModules(ctx, getAuth(req), id, parseQuery(pageQuery, req)));
  });

  router.post('/:id/modules', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(courseParams, req);
    parseQuery(noQuery, req);
    const { position, ...fields } = parseBody(createModuleBody, req);
    const draft = { title: fields.title, description: fields.description ?? '', videoId: fields.videoId ?? null };
    res.status(201).json(await addModule(ctx, getAuth(req), id, draft, position));
  });

  router.put('/:id/modules/:moduleId', auth.requireAuth, async (req, res) => {
    const { id, moduleId } = parseParams(moduleParams, req);
    parseQuery(noQuery, req);
    res.json(await updateModule(ctx, getAuth(req), id, moduleId, parseBody(updateModuleBody, req)));
  });

  router.delete('/:id/modules/:moduleId', auth.requireAuth, async (req, res) => {
    const { id, moduleId } = parseParams(moduleParams, req);
    parseQuery(noQuery, req);
    parseBody(noBody, req);
    await removeModule(ctx, getAuth(req), id, moduleId);
    res.status(204).end();
  });

  return router;
}
