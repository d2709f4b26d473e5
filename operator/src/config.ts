// The operator's configuration: environment variables, validated at start (a bad value names the
// variable). Defaults suit one replica in the namespace it runs in; the operator chart sets the rest.
import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform-core/config';
import { DEFAULT_CHUNK_SECONDS } from '@moocflix/platform-core/transcoding';

/** `a=b,c=d` → { a: 'b', c: 'd' } (labels, annotations). */
const keyValues = () =>
  z
    .string()
    .transform((text, ctx) => {
      const result: Record<string, string> = {};
      for (const pair of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const eq = pair.indexOf('=');
        if (eq <= 0) {
          ctx.addIssue({ code: 'custom', message: `"${pair}" is not key=value` });
          return z.NEVER;
        }
        result[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
      }
      return result;
    })
    .default({});

const list = () => env.list().transform((v) => v ?? []);
const quantity = (def: string) =>
  z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, 'must be a Kubernetes quantity')
    .default(def);
const optionalQuantity = () =>
  z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, 'must be a Kubernetes quantity')
    .optional();

export const operatorConfigSchema = z
  .object({
    PORT: env.port(8080),
    HOST: env.string('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    /** The pod's namespace (downward API); the default home of TranscodeJobs and the Lease. */
    POD_NAMESPACE: env.string('default'),
    /** Leader-election identity; the pod name in a cluster. */
    POD_NAME: env.optionalString(),
    /** Namespaces whose MoocFlixTopics/TranscodeJobs are reconciled; empty = all namespaces. */
    WATCH_NAMESPACES: list(),
    /** Which controllers run. */
    OPERATOR_CONTROLLERS: list()
      .pipe(z.array(z.enum(['topics', 'transcode'])))
      .transform((v) => (v.length ? v : ['topics', 'transcode'])),
    KAFKA_BROKERS: list(),
    KAFKA_CLIENT_ID: env.string('moocflix-operator'),

    // MoocFlixTopic
    /** strimzi: KafkaTopics; kafka: the Admin API; auto: strimzi when the cluster serves KafkaTopics. */
    TOPIC_BACKEND: z.enum(['auto', 'strimzi', 'kafka']).default('auto'),
    /** Value of the strimzi.io/cluster label (the name of the Kafka resource). */
    STRIMZI_CLUSTER: env.string('moocflix'),
    /** kafka backend: how often each topic is compared with its spec again (drift correction). */
    TOPIC_RESYNC_SECONDS: env.int(60, 1),

    // TranscodeJob
    /** Namespace the intake creates TranscodeJobs in (default POD_NAMESPACE). */
    TRANSCODE_NAMESPACE: env.optionalString(),
    /** Consume Transcoding-Request (one chart value decides between this and transcoder workers). */
    TRANSCODE_INTAKE: env.bool(true),
    TRANSCODE_INTAKE_GROUP: env.string('moocflix-operator-intake'),
    /**
     * Prefix of the progress feed's consumer group (Transcoding-Progress → status.progress); each
     * operator process joins its own group `<prefix>.<pod>.<nonce>`, since every instance needs every tick.
     */
    TRANSCODE_PROGRESS_GROUP: env.string('moocflix-operator-progress'),
    TRANSCODE_MIN_CONCURRENCY: env.int(0, 0),
    TRANSCODE_MAX_CONCURRENCY: env.int(2, 1),
    TRANSCODER_IMAGE: env.string('ghcr.io/moocflix/transcoder:0.1.0'),
    TRANSCODER_IMAGE_PULL_POLICY: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
    /** JSON array replacing the image's entrypoint, e.g. ["node","--import","tsx","services/transcoder/src/main.ts"]. */
    TRANSCODER_COMMAND: z
      .string()
      .transform((text, ctx) => {
        try {
          const value: unknown = JSON.parse(text);
          if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
            return value as string[];
        } catch {
          // reported below
        }
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of strings' });
        return z.NEVER;
      })
      .optional(),
    TRANSCODE_SERVICE_ACCOUNT: env.optionalString(),
    TRANSCODE_BACKOFF_LIMIT: env.int(2, 0),
    /**
     * A request whose source is longer than this runs as a chunked transcode: an Indexed Job of
     * parts, then a stitch Job (0: never). The same names and meaning as the transcoder's; the
     * operator passes its values to each Job, so both always plan the same parts.
     */
    TRANSCODER_CHUNK_THRESHOLD_SECONDS: env.int(300, 0),
    TRANSCODER_CHUNK_SECONDS: env.int(DEFAULT_CHUNK_SECONDS, 2),
    /** Parts of a chunked transcode that run at once, unless its TranscodeJob says otherwise. */
    TRANSCODE_PART_PARALLELISM: env.int(4, 1),
    TRANSCODE_ACTIVE_DEADLINE_SECONDS: env.int(7200, 1),
    TRANSCODE_TTL_SECONDS_AFTER_FINISHED: env.int(3600, 0),
    /** Finished TranscodeJobs are deleted after this long; 0 keeps them. */
    TRANSCODEJOB_RETENTION_SECONDS: env.int(7 * 24 * 3600, 0),
    TRANSCODE_CPU_REQUEST: quantity('1'),
    TRANSCODE_MEMORY_REQUEST: quantity('1Gi'),
    TRANSCODE_CPU_LIMIT: optionalQuantity(),
    TRANSCODE_MEMORY_LIMIT: quantity('2Gi'),
    TRANSCODE_TMP_SIZE_LIMIT: quantity('20Gi'),
    /** Secret with KAFKA_* for the transcoder (else KAFKA_BROKERS is passed as is). */
    TRANSCODE_KAFKA_SECRET: env.optionalString(),
    /** Secret with S3_* (endpoint, bucket, credentials) for the transcoder. */
    TRANSCODE_S3_SECRET: env.optionalString(),
    /** ConfigMap with more settings for the transcoder (TRANSCODER_*, LOG_LEVEL, ...). */
    TRANSCODE_CONFIGMAP: env.optionalString(),
    TRANSCODE_POD_LABELS: keyValues(),
    TRANSCODE_POD_ANNOTATIONS: keyValues(),

    // Leader election
    LEADER_ELECTION: env.bool(true),
    /** Default POD_NAMESPACE. */
    LEADER_ELECTION_NAMESPACE: env.optionalString(),
    LEADER_ELECTION_LEASE_NAME: env.string('moocflix-operator'),
    LEADER_ELECTION_LEASE_DURATION_MS: env.int(15_000, 1_000),
    LEADER_ELECTION_RENEW_DEADLINE_MS: env.int(10_000, 500),
    LEADER_ELECTION_RETRY_PERIOD_MS: env.int(2_000, 100),

    // Informers
    /** Full relist (and re-check of every object) this often. */
    RESYNC_SECONDS: env.int(300, 1),
    /** Server-side timeout of each watch (randomised up to twice this); a silent watch is cut after it. */
    WATCH_TIMEOUT_SECONDS: env.int(300, 1),
  })
  .superRefine((c, ctx) => {
    if (c.TRANSCODE_MIN_CONCURRENCY > c.TRANSCODE_MAX_CONCURRENCY) {
      ctx.addIssue({
        code: 'custom',
        path: ['TRANSCODE_MIN_CONCURRENCY'],
        message: 'must not exceed TRANSCODE_MAX_CONCURRENCY',
      });
    }
    if (c.LEADER_ELECTION_RENEW_DEADLINE_MS >= c.LEADER_ELECTION_LEASE_DURATION_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['LEADER_ELECTION_RENEW_DEADLINE_MS'],
        message: 'must be shorter than LEADER_ELECTION_LEASE_DURATION_MS',
      });
    }
    if (c.OPERATOR_CONTROLLERS.includes('transcode') && c.KAFKA_BROKERS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_BROKERS'],
        message:
          'the transcode controller consumes Transcoding-Request and publishes failed completions: set KAFKA_BROKERS',
      });
    }
    if (
      c.TOPIC_BACKEND === 'kafka' &&
      c.OPERATOR_CONTROLLERS.includes('topics') &&
      c.KAFKA_BROKERS.length === 0
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_BROKERS'],
        message: 'TOPIC_BACKEND=kafka needs KAFKA_BROKERS',
      });
    }
  });

export type OperatorConfig = z.infer<typeof operatorConfigSchema>;

export function loadOperatorConfig(source: Record<string, string | undefined> = process.env): OperatorConfig {
  return loadConfig(operatorConfigSchema, source);
}
