// First import: starts tracing before express, pg and kafkajs load, so they get instrumented.
import '@moocflix/platform-telemetry/instrument';
import { runStandalone } from '@moocflix/platform-runtime';
import { createCoursesService } from './service';

void runStandalone({ name: 'courses', defaultPort: 8082, create: createCoursesService });
