import { ConfigError } from '@moocflix/platform-core/config';
import { loadOperatorConfig } from './config';

const brokers = { KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092' };

test('defaults: both controllers, auto topic backend, leader election, 2 Jobs at most, all namespaces', () => {
  const config = loadOperatorConfig(brokers);
  expect(config).toMatchObject({
    OPERATOR_CONTROLLERS: ['topics', 'transcode'],
    TOPIC_BACKEND: 'auto',
    STRIMZI_CLUSTER: 'moocflix',
    LEADER_ELECTION: true,
    TRANSCODE_MIN_CONCURRENCY: 0,
    TRANSCODE_MAX_CONCURRENCY: 2,
    TRANSCODE_BACKOFF_LIMIT: 2,
    WATCH_NAMESPACES: [],
    KAFKA_BROKERS: ['kafka-0:9092', 'kafka-1:9092'],
    TRANSCODE_POD_LABELS: {},
  });
  expect(config.TRANSCODER_COMMAND).toBeUndefined();
});

test('lists, key=value maps and the command are parsed', () => {
  const config = loadOperatorConfig({
    ...brokers,
    WATCH_NAMESPACES: 'moocflix, media',
    OPERATOR_CONTROLLERS: 'topics',
    TRANSCODE_POD_LABELS: 'team=media, cost-center = 42',
    TRANSCODER_COMMAND: '["node","--import","tsx","services/transcoder/src/main.ts"]',
  });
  expect(config.WATCH_NAMESPACES).toEqual(['moocflix', 'media']);
  expect(config.OPERATOR_CONTROLLERS).toEqual(['topics']);
  expect(config.TRANSCODE_POD_LABELS).toEqual({ team: 'media', 'cost-center': '42' });
  expect(config.TRANSCODER_COMMAND).toEqual(['node', '--import', 'tsx', 'services/transcoder/src/main.ts']);
});

test.each([
  [{}, 'KAFKA_BROKERS: the transcode controller consumes Transcoding-Request'],
  [
    { OPERATOR_CONTROLLERS: 'topics', TOPIC_BACKEND: 'kafka' },
    'KAFKA_BROKERS: TOPIC_BACKEND=kafka needs KAFKA_BROKERS',
  ],
  [
    { ...brokers, TRANSCODE_MIN_CONCURRENCY: '3', TRANSCODE_MAX_CONCURRENCY: '2' },
    'TRANSCODE_MIN_CONCURRENCY: must not exceed TRANSCODE_MAX_CONCURRENCY',
  ],
  [{ ...brokers, TRANSCODE_MAX_CONCURRENCY: '0' }, 'TRANSCODE_MAX_CONCURRENCY'],
  [{ ...brokers, OPERATOR_CONTROLLERS: 'topics,jobs' }, 'OPERATOR_CONTROLLERS'],
  [{ ...brokers, TRANSCODE_POD_LABELS: 'team' }, '"team" is not key=value'],
  [{ ...brokers, TRANSCODER_COMMAND: 'node main.js' }, 'TRANSCODER_COMMAND: must be a JSON array of strings'],
  [{ ...brokers, TRANSCODE_MEMORY_LIMIT: 'lots' }, 'TRANSCODE_MEMORY_LIMIT: must be a Kubernetes quantity'],
  [
    { ...brokers, LEADER_ELECTION_LEASE_DURATION_MS: '5000', LEADER_ELECTION_RENEW_DEADLINE_MS: '5000' },
    'LEADER_ELECTION_RENEW_DEADLINE_MS',
  ],
])('%j is refused, naming the variable', (env, message) => {
  expect(() => loadOperatorConfig(env)).toThrow(ConfigError);
  expect(() => loadOperatorConfig(env)).toThrow(message);
});
