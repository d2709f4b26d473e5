export {
  installProcessGuard,
  UNEXPECTED_ERROR_EXIT_CODE,
  type ProcessGuard,
  type ProcessGuardOptions,
  type UnexpectedErrorKind,
} from './process-guard';
export { periodicTask, type PeriodicTask, type PeriodicTaskOptions } from './periodic-task';
