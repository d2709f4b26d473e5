import type { Queryable } from '@moocflix/platform-db';
import type { Video, VideoRendition, VideoStatus } from '../domain/video';

interface VideoRow {
  id: string;
  course_id: string;
  title: string;
  uploaded_by: string;
  status: VideoStatus;
  progress: number;
  source_key: string;
  source_format: string;
  original_filename: string | null;
  size_bytes: number;
  checksum_sha256: string;
  duration_seconds: number | null;
  width: number;
  height: number;
  video_codec: string;
  audio_codec: string | null;
  request_id: string | null;
  attempt_id: string | null;
  attempt: number | null;
  lease_expires_at: Date | null;
  requested_by: string | null;
  requested_at: Date | null;
  output_prefix: string | null;
  playback_prefix: string | null;
  master_playlist_key: string | null;
  poster_key: string | null;
  renditions: VideoRendition[];
  error: string | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toVideo = (row: VideoRow): Video => ({
  id: row.id,
  courseId: row.course_id,
  title: row.title,
  uploadedBy: row.uploaded_by,
  status: row.status,
  progress: row.progress,
  sourceKey: row.source_key,
  sourceFormat: row.source_format,
  originalFilename: row.original_filename,
  sizeBytes: row.size_bytes,
  checksumSha256: row.checksum_sha256,
  durationSeconds: row.duration_seconds,
  width: row.width,
  height: row.height,
  videoCodec: row.video_codec,
  audioCodec: row.audio_codec,
  requestId: row.request_id,
  attemptId: row.attempt_id,
  attempt: row.attempt,
  leaseExpiresAt: row.lease_expires_at,
  requestedBy: row.requested_by,
  requestedAt: row.requested_at,
  outputPrefix: row.output_prefix,
  playbackPrefix: row.playback_prefix,
  masterPlaylistKey: row.master_playlist_key,
  posterKey: row.poster_key,
  renditions: row.renditions,
  error: row.error,
  deletedAt: row.deleted_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface NewVideo {
  id: string;
  courseId: string;
  title: string;
  uploadedBy: string;
  sourceKey: string;
  sourceFormat: string;
  originalFilename: string | null;
  sizeBytes: number;
  checksumSha256: string;
  durationSeconds: number | null;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
}

/**
 * Whether the course (kit projection) is still there, holding a share lock on its row until the
 * transaction ends: a Course-Deletion updating that row waits for an upload's insert to commit (and
 * then marks that video deleted too), or the upload sees the deletion. No video escapes the purge.
 */
export async function lockCourseAgainstDeletion(db: Queryable, courseId: string): Promise<boolean> {
  const { rows } = await db.query<{ deleted: boolean }>(
    'SELECT deleted FROM projected_courses WHERE course_id = $1 FOR SHARE',
    [courseId],
  );
  return rows[0] !== undefined && !rows[0].deleted;
}

export async function insertVideo(db: Queryable, video: NewVideo): Promise<Video> {
  const { rows } = await db.query<VideoRow>(
    `INSERT INTO videos (id, course_id, title, uploaded_by, status, source_key, source_format, original_filename,
                         size_bytes, checksum_sha256, duration_seconds, width, height, video_codec, audio_codec)
     VALUES ($1, $2, $3, $4, 'uploaded', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     RETURNING *`,
    [
      video.id,
      video.courseId,
      video.title,
      video.uploadedBy,
      video.sourceKey,
      video.sourceFormat,
      video.originalFilename,
      video.sizeBytes,
      video.checksumSha256,
      video.durationSeconds,
      video.width,
      video.height,
      video.videoCodec,
      video.audioCodec,
    ],
  );
  return toVideo(rows[0]!);
}

/** A video that exists and is not deleted: a deleted course's videos are gone for every caller. */
export async function findVideo(db: Queryable, id: string): Promise<Video | undefined> {
  const { rows } = await db.query<VideoRow>('SELECT * FROM videos WHERE id = $1 AND deleted_at IS NULL', [
    id,
  ]);
  return rows[0] && toVideo(rows[0]);
}

/**
 * The row, locked until the transaction ends: transcode requests and completions on one video take turns.
 * Deleted videos included (`deletedAt` set): a completion must still learn where its run wrote.
 */
export async function lockVideo(db: Queryable, id: string): Promise<Video | undefined> {
  const { rows } = await db.query<VideoRow>('SELECT * FROM videos WHERE id = $1 FOR UPDATE', [id]);
  return rows[0] && toVideo(rows[0]);
}

/** An attempt of a transcode request is issued: the video waits for a transcoder to pick it up. */
/**
 * SET clauses that drop a `playable` video's preview (a new attempt, or the end of the request
 * without a ready ladder): the preview belonged to the attempt and its folder is purged with it.
 * Evaluated against the row before the update, like every SET expression.
 */
const CLEAR_PREVIEW = `playback_prefix = CASE WHEN status = 'playable' THEN NULL ELSE playback_prefix END,
            master_playlist_key = CASE WHEN status = 'playable' THEN NULL ELSE master_playlist_key END,
            renditions = CASE WHEN status = 'playable' THEN '[]'::jsonb ELSE renditions END,`;

export async function markQueued(
  db: Queryable,
  id: string,
  request: {
    requestId: string;
    attemptId: string;
    attempt: number;
    requestedBy: string;
    requestedAt: Date;
    outputPrefix: string;
    /** How long the attempt may wait for a transcoder before it counts as lost. */
    leaseMs: number;
  },
): Promise<Video> {
  const { rows } = await db.query<VideoRow>(
    `UPDATE videos
        SET ${CLEAR_PREVIEW}
            status = 'queued', progress = 0, error = NULL, request_id = $2, attempt_id = $3, attempt = $4,
            requested_by = $5, requested_at = $6, output_prefix = $7,
            lease_expires_at = now() + make_interval(secs => $8::double precision / 1000), updated_at = now()
      WHERE id = $1 RETURNING *`,
    [
      id,
      request.requestId,
      request.attemptId,
      request.attempt,
      request.requestedBy,
      request.requestedAt,
      request.outputPrefix,
      request.leaseMs,
    ],
  );
  return toVideo(rows[0]!);
}

/**
 * The first transcode's preview is playable: served from the attempt's folder until the ladder is
 * ready (markReady replaces it).
 */
export async function savePreview(
  db: Queryable,
  id: string,
  preview: { playbackPrefix: string; masterPlaylistKey: string; renditions: VideoRendition[] },
): Promise<void> {
  await db.query(
    `UPDATE videos
        SET status = 'playable', playback_prefix = $2, master_playlist_key = $3, poster_key = NULL,
            renditions = $4, updated_at = now()
      WHERE id = $1`,
    [id, preview.playbackPrefix, preview.masterPlaylistKey, JSON.stringify(preview.renditions)],
  );
}

/** A progress tick (the attempt's heartbeat): the status and percentage, and a lease renewed from now. */
export async function saveProgress(
  db: Queryable,
  id: string,
  progress: { status: VideoStatus; percent: number; leaseMs: number },
): Promise<void> {
  await db.query(
    `UPDATE videos
        SET status = $2, progress = $3, lease_expires_at = now() + make_interval(secs => $4::double precision / 1000),
            updated_at = CASE WHEN status = $2 AND progress = $3 THEN updated_at ELSE now() END
      WHERE id = $1`,
    [id, progress.status, progress.percent, progress.leaseMs],
  );
}

/**
 * In-flight videos whose attempt's lease has expired, locked for the caller's transaction; rows
 * another replica's sweeper holds are skipped (it is handling them), so no attempt is retried twice.
 */
export async function lockExpiredLeases(db: Queryable, limit: number): Promise<Video[]> {
  const { rows } = await db.query<VideoRow>(
    `SELECT * FROM videos
      WHERE status IN ('queued', 'transcoding', 'playable') AND deleted_at IS NULL AND lease_expires_at < now()
      ORDER BY lease_expires_at
      LIMIT $1
      FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map(toVideo);
}

export async function markReady(
  db: Queryable,
  id: string,
  outputs: {
    playbackPrefix: string;
    masterPlaylistKey: string;
    posterKey: string | null;
    renditions: VideoRendition[];
    durationSeconds: number | null;
  },
): Promise<void> {
  await db.query(
    `UPDATE videos
        SET status = 'ready', progress = 100, error = NULL, lease_expires_at = NULL, playback_prefix = $2, master_playlist_key = $3, poster_key = $4,
            renditions = $5, duration_seconds = COALESCE(duration_seconds, $6), updated_at = now()
      WHERE id = $1`,
    [
      id,
      outputs.playbackPrefix,
      outputs.masterPlaylistKey,
      outputs.posterKey,
      JSON.stringify(outputs.renditions),
      outputs.durationSeconds,
    ],
  );
}

export async function markFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(
    `UPDATE videos SET ${CLEAR_PREVIEW} status = 'failed', error = $2, lease_expires_at = NULL, updated_at = now() WHERE id = $1`,
    [id, error],
  );
}

/**
 * Marks the course's remaining videos deleted and returns their ids (none when a redelivery or a
 * second deletion finds them already deleted).
 */
export async function markCourseVideosDeleted(db: Queryable, courseId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE videos SET deleted_at = now(), updated_at = now()
      WHERE course_id = $1 AND deleted_at IS NULL RETURNING id`,
    [courseId],
  );
  return rows.map((row) => row.id);
}

/**
 * The videos among `ids` that exist and are not deleted, in one query: what the open event streams
 * of this process are fed from, one read per tick for all of them.
 */
export async function findLiveVideos(db: Queryable, ids: string[]): Promise<Video[]> {
  const { rows } = await db.query<VideoRow>(
    'SELECT * FROM videos WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL',
    [ids],
  );
  return rows.map(toVideo);
}
