export { TestTokenIssuer, TEST_AUDIENCE, TEST_ISSUER, type TestTokenClaims } from './tokens';
export {
  startTestService,
  type RequestOptions,
  type TestResponse,
  type TestService,
} from './service-harness';
export { recordMessages } from './message-recorder';
export { positionGroupAtEnd } from './kafka-group-position';
