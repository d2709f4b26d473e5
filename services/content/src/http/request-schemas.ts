import { z } from 'zod';
import { isSafeHlsPath } from '../domain/hls-playlist';

/** The multipart text fields of an upload (they must come before the file part). */
export const uploadFields = z.strictObject({
  courseId: z.uuid(),
  title: z.string().trim().min(1).max(200),
});

export const videoParams = z.strictObject({ videoId: z.uuid() });

/** `/:videoId/hls/*path`: Express hands the wildcard over as its segments. */
export const hlsFileParams = z.strictObject({
  videoId: z.uuid(),
  path: z
    .array(z.string())
    .transform((segments) => segments.join('/'))
    .refine(isSafeHlsPath, 'not a file of this video'),
});

const playbackToken = z.string().min(1).max(2048);
export const hlsFileQuery = z.strictObject({ token: playbackToken });
/** The poster takes the bearer token, or a playback token in the URL (the video's posterUrl). */
export const posterQuery = z.strictObject({ token: playbackToken.optional() });

export const noQuery = z.strictObject({});
export const noBody = z.strictObject({});
