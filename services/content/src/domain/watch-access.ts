import type { Queryable } from '@moocflix/platform-db';
import { problems } from '@moocflix/platform-core/errors';
import { findCourse, findEnrollmentStatus } from '@moocflix/platform-bus/projections';
import { findVideo } from '../data/video-repository';
import type { Video } from './video';
import { mayManage, requireWatchAllowed, type Caller } from './video-access';

/** The video if the caller may watch it: 404 when it does not exist, 403 when it is not theirs to watch. */
export async function requireWatchableVideo(db: Queryable, caller: Caller, videoId: string): Promise<Video> {
  const video = await findVideo(db, videoId);
  if (!video) throw problems.notFound('Video');
  const course = await findCourse(db, video.courseId);
  // Owners and admins need no enrollment: spare them the lookup.
  const enrollment = mayManage(course, caller)
    ? undefined
    : await findEnrollmentStatus(db, video.courseId, caller.userId);
  requireWatchAllowed(course, enrollment, caller);
  return video;
}
