// First import: starts tracing before express, pg and kafkajs load, so they get instrumented.
import '@moocflix/platform-telemetry/instrument';
import { runStandalone } from '@moocflix/platform-runtime';
import { createUsersService } from './service';

const DEFAULT_PORT = 8081;

// The kit's default JWT_JWKS_URL is the one-process launcher's (port 8080). Run on its own, this
// service verifies the tokens it signs against its own JWKS endpoint unless told otherwise.
process.env.JWT_JWKS_URL ||= `http://127.0.0.1:${process.env.PORT || DEFAULT_PORT}/api/v1/users/.well-known/jwks.json`;

void runStandalone({ name: 'users', defaultPort: DEFAULT_PORT, create: createUsersService });
