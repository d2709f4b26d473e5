import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { withTransaction } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { enqueueEvent, Topics } from '@moocflix/platform-bus';
import { MediaProbeError, probeMedia, type MediaProbe } from '@moocflix/platform-media';
import { findCourse } from '@moocflix/platform-bus/projections';
import { storeSourceUpload, type StoredSource } from '../data/source-upload';
import { UploadTooLargeError } from '../data/upload-spool';
import { insertVideo, lockCourseAgainstDeletion } from '../data/video-repository';
import type { UseCaseContext } from './use-case-context';
import type { Video } from './video';
import { requireUploadAllowed, type Caller } from './video-access';
import { sourceKeyOf } from './video-keys';

export interface UploadedFile {
  stream: Readable;
  filename: string | null;
}

const REFUSAL_DETAILS: Record<MediaProbeError['reason'], string> = {
  'not-media': 'The file is not a media file we can read',
  'no-video-stream': 'The file has no video stream',
  'refused-container':
    'The file is a container we do not accept (playlists, concat lists and images are refused)',
  'probe-crashed': 'The file could not be read as a video',
  timeout: 'The file took too long to read as a video',
};

/**
 * Upload (issue 5): the course's owner or an admin stores a video. The ownership check runs before
 * a single byte is read. The file is streamed to object storage and, in the same pass, to a temp
 * file that ffprobe then reads — unless the storage is a local folder (make dev), where ffprobe
 * reads the stored file in place rather than a second copy of the same bytes on the same disk.
 * Anything short of an accepted video — too large (413), not a video (415), the client gone, a
 * storage or database failure — deletes the object and leaves no row; the temp file is removed on
 * every path.
 */
export async function uploadVideo(
  ctx: UseCaseContext,
  caller: Caller,
  fields: { courseId: string; title: string },
  file: UploadedFile,
): Promise<Video> {
  requireUploadAllowed(await findCourse(ctx.pool, fields.courseId), caller);
  const videoId = randomUUID();
  const sourceKey = sourceKeyOf(videoId);
  // Local-disk storage: the stored file itself; otherwise a copy in a fresh temp folder.
  const inPlace = ctx.storage.localPath(sourceKey);
  const workDir = inPlace === null ? await makeSpoolDir(ctx.uploads.tmpDir) : null;
  const probePath = inPlace ?? join(workDir!, 'source');
  try {
    const stored = await storeSource(ctx, sourceKey, file.stream, inPlace === null ? probePath : null);
    const probe = await probeSource(ctx, probePath);
    return await withTransaction(ctx.pool, async (tx) => {
      // The course may have been deleted while the file streamed in; its object is then deleted below.
      if (!(await lockCourseAgainstDeletion(tx, fields.courseId))) throw problems.notFound('Course');
      // Announced in the same transaction: courses lets a module reference only its own course's videos.
      await enqueueEvent(tx, Topics.VideoUploaded, {
        source: ctx.eventSource,
        subject: videoId,
        data: { videoId, courseId: fields.courseId, uploaderId: caller.userId },
      });
      return insertVideo(tx, {
        id: videoId,
        courseId: fields.courseId,
        title: fields.title,
        uploadedBy: caller.userId,
        sourceKey,
        sourceFormat: probe.container,
        originalFilename: file.filename,
        sizeBytes: stored.sizeBytes,
        checksumSha256: stored.checksumSha256,
        durationSeconds: probe.durationSeconds,
        width: probe.width,
        height: probe.height,
        videoCodec: probe.videoCodec,
        audioCodec: probe.audioCodec,
      });
    });
  } catch (err) {
    await ctx.storage.delete(sourceKey).catch((deleteError: unknown) => {
      ctx.logger.error(
        { err: deleteError, key: sourceKey },
        'could not delete the object of a failed upload',
      );
    });
    throw err;
  } finally {
    if (workDir !== null) await rm(workDir, { recursive: true, force: true });
  }
}

/** A fresh folder for one upload's probe copy. */
async function makeSpoolDir(tmpDir: string): Promise<string> {
  // The spool folder may not exist yet (the chart points it at /tmp/uploads on an empty emptyDir) or may have
  // been cleaned away since: mkdtemp needs its parent, and a recursive mkdir of an existing folder is one syscall.
  await mkdir(tmpDir, { recursive: true });
  return mkdtemp(join(tmpDir, 'moocflix-upload-'));
}

async function storeSource(
  ctx: UseCaseContext,
  key: string,
  stream: Readable,
  copyPath: string | null,
): Promise<StoredSource> {
  try {
    return await storeSourceUpload(ctx.storage, key, stream, { copyPath, maxBytes: ctx.uploads.maxBytes });
  } catch (err) {
    if (err instanceof UploadTooLargeError) {
      throw problems.payloadTooLarge(`The file is larger than the limit of ${err.limitBytes} bytes`);
    }
    throw err;
  }
}

async function probeSource(ctx: UseCaseContext, path: string): Promise<MediaProbe> {
  try {
    return await probeMedia(path, { timeoutMs: ctx.uploads.probeTimeoutMs });
  } catch (err) {
    if (err instanceof MediaProbeError) {
      ctx.logger.info(
        { reason: err.reason, formatName: err.formatName },
        'upload refused by the media probe',
      );
      throw problems.unsupportedMediaType(`${REFUSAL_DETAILS[err.reason]} (${err.reason})`);
    }
    throw err;
  }
}
