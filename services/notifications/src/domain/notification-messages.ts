import type { EventData, Topics } from '@moocflix/platform-bus';
import { NotificationTypes, type NotificationMessage } from './notification';

/**
 * The words of each notification, from the event that causes it. A course title may be unknown
 * (its Course-Creation not arrived yet, or never seen): the message then says "a course".
 */
type Enrollment = EventData<typeof Topics.StudentEnrolled>;
type AssessmentCreation = EventData<typeof Topics.AssessmentCreation>;
type SubmissionCompleted = EventData<typeof Topics.SubmissionCompleted>;
type GradingCompleted = EventData<typeof Topics.GradingCompleted>;
type TranscodingCompleted = EventData<typeof Topics.TranscodingCompleted>;

const courseName = (title: string | null): string => (title ? `“${title}”` : 'a course');
const points = (value: number): string => String(Math.round(value * 100) / 100);

export function enrollmentConfirmedMessage(
  enrollment: Enrollment,
  courseTitle: string | null,
): NotificationMessage {
  return {
    type: NotificationTypes.EnrollmentConfirmed,
    title: `Enrolled in ${courseName(courseTitle)}`,
    body: `You are now enrolled in ${courseName(courseTitle)}.`,
    data: { courseId: enrollment.courseId },
  };
}

export function studentEnrolledMessage(
  enrollment: Enrollment,
  courseTitle: string | null,
): NotificationMessage {
  return {
    type: NotificationTypes.StudentEnrolled,
    title: `New student in ${courseName(courseTitle)}`,
    body: `A student enrolled in ${courseName(courseTitle)}.`,
    data: { courseId: enrollment.courseId, studentId: enrollment.studentId },
  };
}

export function assessmentCreatedMessage(
  assessment: AssessmentCreation,
  courseTitle: string | null,
): NotificationMessage {
  const due = assessment.dueAt ? ` It is due ${assessment.dueAt}.` : '';
  return {
    type: NotificationTypes.AssessmentCreated,
    title: `New ${assessment.type}: ${assessment.title}`,
    body: `A new ${assessment.type} was added to ${courseName(courseTitle)}.${due}`,
    data: { courseId: assessment.courseId, assessmentId: assessment.assessmentId, dueAt: assessment.dueAt },
  };
}

export function submissionReceivedMessage(submission: SubmissionCompleted): NotificationMessage {
  const outcome =
    submission.status === 'graded' && submission.score !== null
      ? `It was graded automatically: ${points(submission.score)} of ${points(submission.maxScore)} points.`
      : 'It waits for your grading.';
  return {
    type: NotificationTypes.SubmissionReceived,
    title: `New submission: ${submission.title}`,
    body: `A student submitted attempt ${submission.attempt} of “${submission.title}”. ${outcome}`,
    data: {
      courseId: submission.courseId,
      assessmentId: submission.assessmentId,
      submissionId: submission.submissionId,
      studentId: submission.studentId,
    },
  };
}

export function gradedMessage(grading: GradingCompleted): NotificationMessage {
  const feedback = grading.feedback ? ` Feedback: ${grading.feedback}` : '';
  return {
    type: NotificationTypes.Graded,
    title: `Graded: ${grading.title}`,
    body: `You scored ${points(grading.score)} of ${points(grading.maxScore)} points on “${grading.title}”.${feedback}`,
    data: {
      courseId: grading.courseId,
      assessmentId: grading.assessmentId,
      submissionId: grading.submissionId,
      score: grading.score,
      maxScore: grading.maxScore,
    },
  };
}

export function transcodingMessage(completion: TranscodingCompleted): NotificationMessage {
  const data = { videoId: completion.videoId, requestId: completion.requestId };
  return completion.status === 'succeeded'
    ? {
        type: NotificationTypes.VideoReady,
        title: 'Your video is ready',
        body: 'Your video was transcoded and can be played now.',
        data,
      }
    : {
        type: NotificationTypes.VideoFailed,
        title: 'Your video could not be transcoded',
        body: `Transcoding failed${completion.error ? `: ${completion.error}` : '.'}`,
        data,
      };
}
