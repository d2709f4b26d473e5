import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { parseBody, parseParams, parseQuery } from '@moocflix/platform-http';
import { listInbox } from '../domain/list-inbox';
import { markInboxRead, markNotificationRead } from '../domain/mark-read';
import type { UseCaseContext } from '../domain/use-case-context';
import { inboxQuery, noBody, noQuery, notificationParams } from './request-schemas';

/** The caller's own inbox: every route acts on the caller's notifications only. */
export function inboxRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
  const router = Router();

  router.get('/', auth.requireAuth, async (req, res) => {
    const { unread, cursor, limit } = parseQuery(inboxQuery, req);
    res.json(await listInbox(ctx, getAuth(req).userId, { unreadOnly: unread, cursor, limit }));
  });

  router.post('/read-all', auth.requireAuth, async (req, res) => {
    parseQuery(noQuery, req);
    parseBody(noBody, req);
    res.json(await markInboxRead(ctx, getAuth(req).userId));
  });

  router.post('/:id/read', auth.requireAuth, async (req, res) => {
    const { id } = parseParams(notificationParams, req);
    parseQuery(noQuery, req);
    parseBody(noBody, req);
    res.json(await markNotificationRead(ctx, getAuth(req).userId, id));
  });

  return router;
}
