export type { ServiceContext } from './context';
export { createPlatform, databaseReadiness, type Platform } from './platform';
export { runStandalone } from './standalone';
export {
  commonServiceConfigSchema,
  loadCommonServiceConfig,
  revocationsUrl,
  type CommonServiceConfig,
} from './service-config';
