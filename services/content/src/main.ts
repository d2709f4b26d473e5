// First import: starts tracing before express, pg and kafkajs load, so they get instrumented.
import '@moocflix/platform-telemetry/instrument';
import { runStandalone } from '@moocflix/platform-runtime';
import { createContentService } from './service';

void runStandalone({ name: 'content', defaultPort: 8083, create: createContentService });
