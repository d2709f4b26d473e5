/**
 * jest setupFile of the integration project, run in each test file's environment: points the code under
 * test at the stack (DATABASE_URL, KAFKA_BROKERS, S3_*), as a deployment's environment would.
 */
import { envOf } from './env';
import { currentStatePath, readState } from './state';

Object.assign(process.env, envOf(readState(currentStatePath())));
