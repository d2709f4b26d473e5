import { createEventConsumer, Topics, type EventConsumer } from '@moocflix/platform-bus';
import type { ServiceContext } from '@moocflix/platform-runtime';
import { recordCourse, recordCourseDeletion } from '@moocflix/platform-bus/projections';
import {
  onAssessmentCreated,
  onGradingCompleted,
  onStudentEnrolled,
  onSubmissionCompleted,
  onTranscodingCompleted,
  onTranscodingRequested,
} from '../domain/event-notifications';

/** The consumer group; the kit records processed event ids per group, which makes redeliveries no-ops. */
export const NOTIFICATIONS_EVENTS_GROUP = 'notifications';

export function createNotificationEventsConsumer(ctx: ServiceContext, now: () => Date): EventConsumer {
  return createEventConsumer({
    bus: ctx.bus,
    pool: ctx.pool,
    logger: ctx.logger,
    groupId: NOTIFICATIONS_EVENTS_GROUP,
    handlers: {
      [Topics.CourseCreation]: (event, tx) => recordCourse(tx, event.data),
      [Topics.CourseUpdate]: (event, tx) => recordCourse(tx, event.data),
      [Topics.CourseDeletion]: (event, tx) => recordCourseDeletion(tx, event.data),
      [Topics.StudentEnrolled]: (event, tx) => onStudentEnrolled(tx, event, now()),
      [Topics.AssessmentCreation]: (event, tx) => onAssessmentCreated(tx, event, now()),
      [Topics.SubmissionCompleted]: (event, tx) => onSubmissionCompleted(tx, event, now()),
      [Topics.GradingCompleted]: (event, tx) => onGradingCompleted(tx, event, now()),
      [Topics.TranscodingRequest]: (event, tx) => onTranscodingRequested(tx, event, now()),
      [Topics.TranscodingCompleted]: (event, tx) => onTranscodingCompleted(tx, event, now()),
    },
  });
}
