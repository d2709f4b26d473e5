export type { ServiceContext } from './context';
export { createPlatform, databaseReadiness, type Platform } from './platform';
export { runStandalone } from './standalone';
export {
  commonServiceConfigSchema,
  loadCommonServiceConfig,
  revocationsUrl,
  type CommonServiceConfig,
} from './service-config';
export {
  installProcessGuard,
  UNEXPECTED_ERROR_EXIT_CODE,
  type ProcessGuard,
  type ProcessGuardOptions,
} from './process-guard';
export { periodicTask, type PeriodicTask, type PeriodicTaskOptions } from './periodic-task';
