import { z } from 'zod';
import { Topics, type Topic } from './topics';

/**
 * One zod schema per event type: producers validate before writing the outbox, consumers before
 * acting, so a malformed event fails loudly at its source or lands in the dead-letter topic.
 * Payloads never carry secrets (no password hashes, no tokens).
 */
const id = z.string().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true });
const role = z.enum(['student', 'instructor', 'admin']);
const userStatus = z.enum(['active', 'deactivated']);

const userSnapshot = {
  userId: id,
  email: z.email(),
  name: z.string(),
  role,
  status: userStatus,
};

const courseSnapshot = {
  courseId: id,
  instructorId: id,
  title: z.string(),
  published: z.boolean(),
  category: z.string().nullable(),
  capacity: z.number().int().nullable(),
};

const rendition = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bandwidth: z.number().int(),
  codecs: z.string().optional(),
  playlistKey: z.string().optional(),
});

/**
 * A transcode request may be attempted more than once (a worker died, a lease expired): each attempt
 * has its own id, carried by the request, its progress and its completion, so the outcome of a
 * superseded attempt is recognised and ignored. Optional on the wire: a payload from a producer that
 * predates attempts is the first attempt, whose id is the request id — read them through
 * transcodeAttemptOf().
 */
const attemptFields = {
  attemptId: id.optional(),
  /** 1 for the first attempt. */
  attempt: z.number().int().min(1).optional(),
};

/** The attempt a Transcoding-Request, -Progress or -Completed payload belongs to. */
export function transcodeAttemptOf(data: { requestId: string; attemptId?: string; attempt?: number }): {
  attemptId: string;
  attempt: number;
} {
  return { attemptId: data.attemptId ?? data.requestId, attempt: data.attempt ?? 1 };
}

export const eventSchemas = {
  [Topics.UserCreation]: z.object({ ...userSnapshot, createdAt: isoTime }),
  [Topics.UserUpdate]: z.object({ ...userSnapshot, changed: z.array(z.string()), updatedAt: isoTime }),
  [Topics.CourseCreation]: z.object({ ...courseSnapshot, createdAt: isoTime }),
  [Topics.CourseUpdate]: z.object({ ...courseSnapshot, version: z.number().int(), updatedAt: isoTime }),
  [Topics.CourseDeletion]: z.object({ courseId: id, instructorId: id, deletedAt: isoTime }),
  [Topics.StudentEnrolled]: z.object({
    courseId: id,
    studentId: id,
    instructorId: id,
    status: z.enum(['active', 'inactive']),
    enrolledAt: isoTime,
  }),
  [Topics.TranscodingRequest]: z.object({
    /** The video's logical request: the same for every attempt at it. */
    requestId: id,
    ...attemptFields,
    videoId: id,
    courseId: id,
    requestedBy: id,
    /** Object key of the uploaded source in the storage bucket. */
    sourceKey: z.string().min(1),
    /** Key prefix under which renditions, playlists and the poster are written (one per attempt). */
    outputPrefix: z.string().min(1),
    /** Container the content service's probe identified; the transcoder forces this demuxer. */
    sourceFormat: z.string().min(1),
    /**
     * The source's length as content's upload probe measured it (null or absent: unknown). The
     * operator and the transcoder plan a chunked transcode's parts from it, so they always agree.
     */
    sourceDurationSeconds: z.number().nonnegative().nullable().optional(),
    requestedAt: isoTime,
  }),
  [Topics.TranscodingCompleted]: z.object({
    requestId: id,
    ...attemptFields,
    videoId: id,
    status: z.enum(['succeeded', 'failed']),
    renditions: z.array(rendition),
    masterPlaylistKey: z.string().nullable(),
    posterKey: z.string().nullable(),
    durationSeconds: z.number().nullable(),
    error: z.string().nullable(),
    /**
     * A failure of the run, not of the video (its Job or pod died, the node went away): another
     * attempt may succeed, so the content service retries up to its limit and this is not the
     * video's outcome. Absent (older producers) means false.
     */
    retryable: z.boolean().optional(),
    completedAt: isoTime,
  }),
  /** Also the attempt's heartbeat: the transcoder repeats the last percentage while it works. */
  [Topics.TranscodingProgress]: z.object({
    requestId: id,
    ...attemptFields,
    videoId: id,
    progress: z.number().min(0).max(100),
    /**
     * Present from the moment a fast preview of the video can be played (its smallest rendition,
     * still growing), and on every tick after it: content makes the video `playable` and serves
     * this master until the full ladder is ready. Absent on producers without previews.
     */
    preview: z
      .object({ masterPlaylistKey: z.string().min(1), renditions: z.array(rendition).min(1) })
      .optional(),
    at: isoTime,
  }),
  [Topics.AssessmentCreation]: z.object({
    assessmentId: id,
    courseId: id,
    instructorId: id,
    title: z.string(),
    type: z.enum(['quiz', 'assignment']),
    dueAt: isoTime.nullable(),
    createdAt: isoTime,
  }),
  [Topics.SubmissionCompleted]: z.object({
    submissionId: id,
    assessmentId: id,
    courseId: id,
    studentId: id,
    instructorId: id,
    title: z.string(),
    attempt: z.number().int().min(1),
    status: z.enum(['graded', 'submitted']),
    score: z.number().nullable(),
    maxScore: z.number(),
    submittedAt: isoTime,
  }),
  [Topics.GradingCompleted]: z.object({
    submissionId: id,
    assessmentId: id,
    courseId: id,
    studentId: id,
    title: z.string(),
    score: z.number(),
    maxScore: z.number(),
    feedback: z.string().nullable(),
    gradedBy: id,
    gradedAt: isoTime,
  }),
  [Topics.VideoUploaded]: z.object({ videoId: id, courseId: id, uploaderId: id }),
  [Topics.ModuleCompleted]: z.object({ courseId: id, moduleId: id, userId: id, completedAt: isoTime }),
  [Topics.SessionRevoked]: z.object({
    userId: id,
    /** A single token (logout)… */
    tokenId: id.optional(),
    /** …or every token of the user issued at or before this epoch second (password change, deactivation). */
    issuedAtOrBefore: z.number().int().optional(),
    /** After this epoch second the revoked tokens have expired anyway; the entry can be forgotten. */
    expiresAt: z.number().int(),
    reason: z.enum(['logout', 'password-change', 'deactivation']),
  }),
} satisfies Record<Topic, z.ZodType>;

export type EventData<T extends Topic> = z.infer<(typeof eventSchemas)[T]>;

/** CloudEvents `type` per topic, reverse-DNS as the spec recommends. */
export const eventTypes: Record<Topic, string> = {
  [Topics.UserCreation]: 'io.moocflix.user.created',
  [Topics.UserUpdate]: 'io.moocflix.user.updated',
  [Topics.CourseCreation]: 'io.moocflix.course.created',
  [Topics.CourseUpdate]: 'io.moocflix.course.updated',
  [Topics.CourseDeletion]: 'io.moocflix.course.deleted',
  [Topics.StudentEnrolled]: 'io.moocflix.enrollment.created',
  [Topics.TranscodingRequest]: 'io.moocflix.transcoding.requested',
  [Topics.TranscodingCompleted]: 'io.moocflix.transcoding.completed',
  [Topics.TranscodingProgress]: 'io.moocflix.transcoding.progress',
  [Topics.AssessmentCreation]: 'io.moocflix.assessment.created',
  [Topics.SubmissionCompleted]: 'io.moocflix.submission.completed',
  [Topics.GradingCompleted]: 'io.moocflix.grading.completed',
  [Topics.SessionRevoked]: 'io.moocflix.session.revoked',
  [Topics.VideoUploaded]: 'io.moocflix.video.uploaded',
  [Topics.ModuleCompleted]: 'io.moocflix.module.completed',
};
