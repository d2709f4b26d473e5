export { TestTokenIssuer, TEST_AUDIENCE, TEST_ISSUER, type TestTokenClaims } from './tokens';
export {
  startTestService,
  type RequestOptions,
  type TestResponse,
  type TestService,
} from './service-harness';
export { ServiceUnderTest, type TestUser } from './service-under-test';
export { kafkaTestBus, stackKafkaBrokers } from './kafka-test-bus';
export {
  EventRecorder,
  type EventRecorderOptions,
  type RecordedEvent,
  type UnreadableMessage,
} from './event-recorder';
export { publishEvent, readOutbox, republishEvent, type OutboxRow } from './test-events';
export { recordMessages } from './message-recorder';
export { positionGroupAtEnd } from './kafka-group-position';
export { forgedCursors, type CursorFieldKind } from './forged-cursors';
export { RawConnection, type RawResponse } from './raw-http';
export { expectProblem, type ProblemResponse } from './problem-assertions';
export {
  startOtlpReceiver,
  SPAN_KIND_SERVER,
  SPAN_KIND_CLIENT,
  type OtlpReceiver,
  type OtlpSpan,
} from './otlp-receiver';
export { scrapedValue } from './metrics-text';
