import type { Queryable } from '@moocflix/platform-db';

export interface KnownVideo {
  videoId: string;
  courseId: string;
  uploaderId: string;
}

/** Records a video announced by content; a redelivery (or a second announcement) changes nothing. */
export async function saveKnownVideo(db: Queryable, video: KnownVideo): Promise<void> {
  await db.query(
    `INSERT INTO known_videos (video_id, course_id, uploader_id) VALUES ($1, $2, $3)
     ON CONFLICT (video_id) DO NOTHING`,
    [video.videoId, video.courseId, video.uploaderId],
  );
}

/** The course a video belongs to, or undefined when this service has not heard of the video. */
export async function findVideoCourse(db: Queryable, videoId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ course_id: string }>(
    'SELECT course_id FROM known_videos WHERE video_id = $1',
    [videoId],
  );
  return rows[0]?.course_id;
}
