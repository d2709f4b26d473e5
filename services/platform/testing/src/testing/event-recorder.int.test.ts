import { randomUUID } from 'node:crypto';
import { waitFor } from '../../../../../e2e/stack/control';
import { createEvent, Topics, type KafkaEventBus } from '@moocflix/platform-bus';
import { EventRecorder } from './event-recorder';
import { kafkaTestBus } from './kafka-test-bus';

const topic = Topics.StudentEnrolled;
let bus: KafkaEventBus;

beforeAll(() => {
  bus = kafkaTestBus('event-recorder-test');
});
afterAll(async () => {
  await bus.close();
});

function enrolled(courseId: string) {
  return createEvent(topic, {
    source: 'courses',
    subject: courseId,
    data: {
      courseId,
      studentId: `student-${randomUUID()}`,
      instructorId: 'instructor-1',
      status: 'active',
      enrolledAt: new Date().toISOString(),
    },
  });
}

// Regression: a recorder reading from 'earliest' used to throw on another test's garbage, which the
// bus redelivered forever, so no later event on the topic was ever recorded (CI failed this way when
// the dead-letter tests happened to run before the courses tests).
describe.each([
  ['parsed with the schema', false],
  ['as sent', true],
])('EventRecorder from the earliest offset, %s', (_name, asSent) => {
  it('records the events behind malformed messages another test published, and ignores those', async () => {
    const foreign = `course-${randomUUID()}`;
    const ours = `course-${randomUUID()}`;
    // Garbage first. Its partition may differ from ours: a handler stuck on one partition stalls them all.
    await bus.ensureTopics([topic]);
    await bus.publish([
      { topic, key: foreign, value: 'this is not JSON' },
      { topic, key: foreign, value: JSON.stringify({ not: 'a cloud event' }) },
    ]);
    const event = enrolled(ours);
    await bus.publish([{ topic, key: ours, value: JSON.stringify(event) }]);

    const recorder = await EventRecorder.start(bus, [topic], { startFrom: 'earliest', asSent });
    try {
      const seen = await waitFor(
        () => {
          const found = recorder.about(topic, ours);
          expect(found).toHaveLength(1);
          return found;
        },
        { timeoutMs: 20_000 },
      );
      expect(seen[0]?.event.id).toBe(event.id);
      expect(seen[0]?.key).toBe(ours);
    } finally {
      await recorder.close();
    }
  });

  it('fails loudly when asked about an aggregate whose own message was unreadable', async () => {
    const courseId = `course-${randomUUID()}`;
    const recorder = await EventRecorder.start(bus, [topic], { startFrom: 'latest', asSent });
    try {
      await bus.publish([{ topic, key: courseId, value: '{"truncated": ' }]);
      await waitFor(
        () =>
          expect(() => recorder.about(topic, courseId)).toThrow(
            `an unreadable ${topic} message is keyed by ${courseId}`,
          ),
        { timeoutMs: 20_000 },
      );
    } finally {
      await recorder.close();
    }
  });
});
