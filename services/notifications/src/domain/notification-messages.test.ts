import {
  assessmentCreatedMessage,
  enrollmentConfirmedMessage,
  gradedMessage,
  studentEnrolledMessage,
  submissionReceivedMessage,
  transcodingMessage,
} from './notification-messages';

const enrollment = {
  courseId: 'c1',
  studentId: 's1',
  instructorId: 'i1',
  status: 'active' as const,
  enrolledAt: '2030-01-01T00:00:00.000Z',
};

describe('notification messages', () => {
  it('names the course when its title is known, and says "a course" otherwise', () => {
    expect(enrollmentConfirmedMessage(enrollment, 'Algebra')).toEqual({
      type: 'enrollment.confirmed',
      title: 'Enrolled in “Algebra”',
      body: 'You are now enrolled in “Algebra”.',
      data: { courseId: 'c1' },
    });
    expect(enrollmentConfirmedMessage(enrollment, null).title).toBe('Enrolled in a course');
    expect(studentEnrolledMessage(enrollment, 'Algebra')).toMatchObject({
      type: 'enrollment.new-student',
      data: { courseId: 'c1', studentId: 's1' },
    });
  });

  it('announces a new assessment with its type and due date', () => {
    const message = assessmentCreatedMessage(
      {
        assessmentId: 'a1',
        courseId: 'c1',
        instructorId: 'i1',
        title: 'Week 1',
        type: 'quiz',
        dueAt: '2030-02-01T00:00:00.000Z',
        createdAt: '2030-01-01T00:00:00.000Z',
      },
      'Algebra',
    );
    expect(message).toEqual({
      type: 'assessment.created',
      title: 'New quiz: Week 1',
      body: 'A new quiz was added to “Algebra”. It is due 2030-02-01T00:00:00.000Z.',
      data: { courseId: 'c1', assessmentId: 'a1', dueAt: '2030-02-01T00:00:00.000Z' },
    });
  });

  it('tells the instructor whether a submission was auto-graded or waits for them', () => {
    const submission = {
      submissionId: 'x1',
      assessmentId: 'a1',
      courseId: 'c1',
      studentId: 's1',
      instructorId: 'i1',
      title: 'Week 1',
      attempt: 2,
      status: 'graded' as const,
      score: 7.5,
      maxScore: 10,
      submittedAt: '2030-01-01T00:00:00.000Z',
    };
    expect(submissionReceivedMessage(submission).body).toBe(
      'A student submitted attempt 2 of “Week 1”. It was graded automatically: 7.5 of 10 points.',
    );
    expect(submissionReceivedMessage({ ...submission, status: 'submitted', score: null }).body).toMatch(
      /waits for your grading\.$/,
    );
  });

  it('gives the student their score and feedback', () => {
    const grading = {
      submissionId: 'x1',
      assessmentId: 'a1',
      courseId: 'c1',
      studentId: 's1',
      title: 'Essay',
      score: 6.6667,
      maxScore: 10,
      feedback: 'Nice.',
      gradedBy: 'i1',
      gradedAt: '2030-01-01T00:00:00.000Z',
    };
    expect(gradedMessage(grading)).toMatchObject({
      type: 'grading.completed',
      body: 'You scored 6.67 of 10 points on “Essay”. Feedback: Nice.',
      data: { submissionId: 'x1', score: 6.6667, maxScore: 10 },
    });
  });

  it('tells the uploader whether the video is ready or why it failed', () => {
    const completion = {
      requestId: 'r1',
      videoId: 'v1',
      status: 'succeeded' as const,
      renditions: [],
      masterPlaylistKey: 'k',
      posterKey: null,
      durationSeconds: 3,
      error: null,
      completedAt: '2030-01-01T00:00:00.000Z',
    };
    expect(transcodingMessage(completion)).toMatchObject({
      type: 'transcoding.succeeded',
      data: { videoId: 'v1', requestId: 'r1' },
    });
    expect(transcodingMessage({ ...completion, status: 'failed', error: 'not a video' })).toMatchObject({
      type: 'transcoding.failed',
      body: 'Transcoding failed: not a video',
    });
  });
});
