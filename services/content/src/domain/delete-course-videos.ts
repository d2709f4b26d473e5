import type { PoolClient } from '@moocflix/platform-db';
import type { EventData, Topics } from '@moocflix/platform-bus';
import { recordCourseDeletion } from '@moocflix/platform-bus/projections';
import { schedulePurge } from '../data/storage-purge-repository';
import { markCourseVideosDeleted } from '../data/video-repository';
import { videoFolderOf } from './video-keys';

/**
 * Course-Deletion: the course is deleted in the projection, its videos are marked deleted (404 from
 * now on) and each video's folder — source and every transcoder run — is scheduled for purging, all
 * in the consumer's transaction. The storage calls happen after commit (StoragePurger), so a crash
 * loses nothing and a redelivered or repeated deletion finds nothing left to do. The projection row
 * lock taken first is what an upload to the course waits on (see uploadVideo).
 */
export async function deleteCourseVideos(
  tx: PoolClient,
  deletion: EventData<typeof Topics.CourseDeletion>,
): Promise<number> {
  await recordCourseDeletion(tx, deletion);
  const videoIds = await markCourseVideosDeleted(tx, deletion.courseId);
  for (const videoId of videoIds) await schedulePurge(tx, videoFolderOf(videoId), 'course deleted');
  return videoIds.length;
}
