import type { Queryable } from '@moocflix/platform-db';
import type { CloudEvent, EventData, Topic, Topics } from '@moocflix/platform-bus';
import { findCourse, findCourseTitle, recordEnrollment } from '@moocflix/platform-bus/projections';
import { deliverNotification, deliverToActiveStudents } from '../data/notification-repository';
import { saveCompletion, saveRequester, type CompletedRequest } from '../data/transcoding-request-repository';
import {
  assessmentCreatedMessage,
  enrollmentConfirmedMessage,
  gradedMessage,
  studentEnrolledMessage,
  submissionReceivedMessage,
  transcodingMessage,
} from './notification-messages';

/**
 * Who hears of what. Each handler runs in the consumer's transaction, with the event id recorded
 * as processed; every delivery is also keyed by (event id, recipient), so a redelivered event never
 * notifies anyone twice.
 */
type Event<T extends Topic> = CloudEvent<EventData<T>>;

const delivery = (event: CloudEvent, now: Date) => ({ sourceEventId: event.id, createdAt: now });

/** The student is told they are enrolled, the course owner that they have a new student; the projection follows. */
export async function onStudentEnrolled(
  db: Queryable,
  event: Event<typeof Topics.StudentEnrolled>,
  now: Date,
): Promise<void> {
  const enrollment = event.data;
  await recordEnrollment(db, enrollment);
  if (enrollment.status !== 'active') return;
  const courseTitle = await findCourseTitle(db, enrollment.courseId);
  await deliverNotification(db, enrollment.studentId, {
    ...delivery(event, now),
    message: enrollmentConfirmedMessage(enrollment, courseTitle),
  });
  await deliverNotification(db, enrollment.instructorId, {
    ...delivery(event, now),
    message: studentEnrolledMessage(enrollment, courseTitle),
  });
}

/** Every student actively enrolled in the course when the event is handled. */
export async function onAssessmentCreated(
  db: Queryable,
  event: Event<typeof Topics.AssessmentCreation>,
  now: Date,
): Promise<void> {
  // The access rule (docs/access-rules.md): a student is not told of a course that does not exist
  // for them (deleted, or unpublished: 404 to its students too). A course not known here yet is
  // told of: the projection lags, and the assessment was created in a course assessments knew.
  const course = await findCourse(db, event.data.courseId);
  if (course && (course.deleted || !course.published)) return;
  const courseTitle = await findCourseTitle(db, event.data.courseId);
  await deliverToActiveStudents(db, event.data.courseId, {
    ...delivery(event, now),
    message: assessmentCreatedMessage(event.data, courseTitle),
  });
}

/** The course's instructor, named in the event. */
export async function onSubmissionCompleted(
  db: Queryable,
  event: Event<typeof Topics.SubmissionCompleted>,
  now: Date,
): Promise<void> {
  await deliverNotification(db, event.data.instructorId, {
    ...delivery(event, now),
    message: submissionReceivedMessage(event.data),
  });
}

/** The student whose attempt was graded (again, on a regrade). */
export async function onGradingCompleted(
  db: Queryable,
  event: Event<typeof Topics.GradingCompleted>,
  now: Date,
): Promise<void> {
  await deliverNotification(db, event.data.studentId, {
    ...delivery(event, now),
    message: gradedMessage(event.data),
  });
}

/** The uploader, once both the request (who) and its completion (how it ended) have arrived, in either order. */
export async function onTranscodingRequested(
  db: Queryable,
  event: Event<typeof Topics.TranscodingRequest>,
  now: Date,
): Promise<void> {
  const { requestId, videoId, requestedBy } = event.data;
  await notifyUploader(db, await saveRequester(db, requestId, videoId, requestedBy), now);
}

export async function onTranscodingCompleted(
  db: Queryable,
  event: Event<typeof Topics.TranscodingCompleted>,
  now: Date,
): Promise<void> {
  // One notification per video outcome, not per attempt: a run that died (retryable) is attempted
  // again by the content service, which publishes the outcome itself once it gives up.
  if (event.data.status === 'failed' && event.data.retryable === true) return;
  await notifyUploader(db, await saveCompletion(db, event.data, event.id), now);
}

async function notifyUploader(
  db: Queryable,
  request: CompletedRequest | undefined,
  now: Date,
): Promise<void> {
  if (!request) return;
  await deliverNotification(db, request.requestedBy, {
    sourceEventId: request.completionEventId,
    createdAt: now,
    message: transcodingMessage(request.completion),
  });
}
