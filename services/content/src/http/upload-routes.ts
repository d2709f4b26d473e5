import { Router } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform-http/auth';
import { allowBody, parseQuery, parseWith } from '@moocflix/platform-http';
import type { UseCaseContext } from '../domain/use-case-context';
import { uploadVideo } from '../domain/upload-video';
import { videoView } from '../domain/video';
import { noQuery, uploadFields } from './request-schemas';
import { readUploadForm } from './upload-form';

const REQUIRED_FIELDS = ['courseId', 'title'] as const;
// Multipart framing and the two text fields: a body this much above the file limit is too large
// whatever it holds, so it is refused from its Content-Length before anything is read, and a body
// without one (chunked) is cut there while it streams (the file part itself is cut at the limit).
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** POST /upload: multipart `courseId`, `title`, then `file` (instructor owning the course, or admin). */
export function uploadRoutes(ctx: UseCaseContext, auth: Authenticator): Router {
  const router = Router();

  const bodyLimit = allowBody(ctx.uploads.maxBytes + FORM_OVERHEAD_BYTES);
  router.post(
    '/upload',
    bodyLimit,
    auth.requireAuth,
    auth.requireRole('instructor', 'admin'),
    async (req, res) => {
      parseQuery(noQuery, req);
      const form = await readUploadForm(req, REQUIRED_FIELDS);
      try {
        const fields = parseWith(uploadFields, form.fields, 'body');
        const video = await uploadVideo(ctx, getAuth(req), fields, {
          stream: form.file,
          filename: form.filename,
        });
        res.status(201).location(`${req.baseUrl}/${video.id}`).json(videoView(video));
      } finally {
        form.discardRest();
      }
    },
  );

  return router;
}
