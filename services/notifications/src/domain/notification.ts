/** What a notification is about; clients may pick icons or links by it. */
export const NotificationTypes = {
  EnrollmentConfirmed: 'enrollment.confirmed',
  StudentEnrolled: 'enrollment.new-student',
  AssessmentCreated: 'assessment.created',
  SubmissionReceived: 'submission.received',
  Graded: 'grading.completed',
  VideoReady: 'transcoding.succeeded',
  VideoFailed: 'transcoding.failed',
} as const;
export type NotificationType = (typeof NotificationTypes)[keyof typeof NotificationTypes];

/** The content of a notification, before it is delivered to someone. */
export interface NotificationMessage {
  type: NotificationType;
  title: string;
  body: string;
  /** Ids a client links to (courseId, assessmentId, videoId...). */
  data: Record<string, string | number | null>;
}

/** A delivered notification as its recipient sees it. */
export interface Notification extends NotificationMessage {
  id: string;
  read: boolean;
  readAt: Date | null;
  createdAt: Date;
}
