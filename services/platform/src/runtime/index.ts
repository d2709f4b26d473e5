export type { ServiceContext } from './context';
export { createPlatform, databaseReadiness, type Platform } from './platform';
export { runStandalone } from './standalone';
export {
  commonServiceConfigSchema,
  loadCommonServiceConfig,
  type CommonServiceConfig,
} from './service-config';
export { periodicTask, type PeriodicTask, type PeriodicTaskOptions } from './periodic-task';
