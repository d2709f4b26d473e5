/** Topic names are exactly the seed's (docs/architecture.md#topics); extras are documented next to them. */
export const Topics = {
  UserCreation: 'User-Creation',
  UserUpdate: 'User-Update',
  CourseCreation: 'Course-Creation',
  CourseUpdate: 'Course-Update',
  CourseDeletion: 'Course-Deletion',
  StudentEnrolled: 'Student-Enrolled',
  TranscodingRequest: 'Transcoding-Request',
  TranscodingCompleted: 'Transcoding-Completed',
  AssessmentCreation: 'Assessment-Creation',
  SubmissionCompleted: 'Submission-Completed',
  GradingCompleted: 'Grading-Completed',
  // Extra topics:
  /** Logout, password change and deactivation: every service's auth middleware drops those tokens. */
  SessionRevoked: 'Session-Revoked',
  /** Transcoder progress ticks (best effort, high volume) so content can show a percentage. */
  TranscodingProgress: 'Transcoding-Progress',
  /** A video stored by content: courses projects it so a module can reference only its own course's videos. */
  VideoUploaded: 'Video-Uploaded',
  /** A learner completed a module for the first time (courses; exactly once per learner and module). */
  ModuleCompleted: 'Module-Completed',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const SEED_TOPICS: readonly Topic[] = [
  Topics.UserCreation,
  Topics.UserUpdate,
  Topics.CourseCreation,
  Topics.CourseUpdate,
  Topics.CourseDeletion,
  Topics.StudentEnrolled,
  Topics.TranscodingRequest,
  Topics.TranscodingCompleted,
  Topics.AssessmentCreation,
  Topics.SubmissionCompleted,
  Topics.GradingCompleted,
];

export const ALL_TOPICS: readonly Topic[] = Object.values(Topics);

/** Messages that keep failing go to `<topic>.DLQ` after bounded retries (never dropped, never blocking). */
export const deadLetterTopic = (topic: string): string => `${topic}.DLQ`;
