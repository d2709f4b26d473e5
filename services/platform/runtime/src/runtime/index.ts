export type { ServiceContext } from './context';
export { createPlatform, databaseReadiness, outboxRelayFor, type Platform } from './platform';
export { runStandalone } from './standalone';
export {
  commonServiceConfigSchema,
  loadCommonServiceConfig,
  revocationsUrl,
  type CommonServiceConfig,
} from './service-config';
