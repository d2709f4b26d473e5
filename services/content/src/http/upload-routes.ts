import { Router, type Request } from 'express';
import { getAuth, type Authenticator } from '@moocflix/platform/auth';
import { problems } from '@moocflix/platform/errors';
import { parseQuery, parseWith } from '@moocflix/platform/http';
import type { ContentContext } from '../domain/content-context';
import { uploadVideo } from '../domain/upload-video';
import { videoView } from '../domain/video';
import { noQuery, uploadFields } from './request-schemas';
import { readUploadForm } from './upload-form';

const REQUIRED_FIELDS = ['courseId', 'title'] as const;
// Multipart framing and the two text fields: a body this much above the file limit is too large
// whatever it holds, so it is refused from its Content-Length before anything is read.
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** POST /upload: multipart `courseId`, `title`, then `file` (instructor owning the course, or admin). */
export function uploadRoutes(ctx: ContentContext, auth: Authenticator): Router {
  const router = Router();

  router.post('/upload', auth.requireAuth, auth.requireRole('instructor', 'admin'), async (req, res) => {
    parseQuery(noQuery, req);
    refuseDeclaredOversize(req, ctx.uploads.maxBytes);
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
  });

  return router;
}

function refuseDeclaredOversize(req: Request, maxBytes: number): void {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes + FORM_OVERHEAD_BYTES) {
    throw problems.payloadTooLarge(`The upload is larger than the limit of ${maxBytes} bytes`);
  }
}
