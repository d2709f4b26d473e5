import type { OperatorConfig } from '../config';
import type { JobTemplateConfig } from './job-builder';

/**
 * The Job template the operator's settings describe: what every transcode Job it creates is built
 * from (job-builder.ts). Its own module so the chart tests check the template the operator really
 * derives from the environment the chart renders, not a copy of it.
 */
export function jobTemplateOf(config: OperatorConfig): JobTemplateConfig {
  const env: Record<string, string> = {
    LOG_LEVEL: config.LOG_LEVEL,
    // The Jobs plan a chunked transcode's parts exactly as the operator did.
    TRANSCODER_CHUNK_THRESHOLD_SECONDS: String(config.TRANSCODER_CHUNK_THRESHOLD_SECONDS),
    TRANSCODER_CHUNK_SECONDS: String(config.TRANSCODER_CHUNK_SECONDS),
  };
  if (!config.TRANSCODE_KAFKA_SECRET && config.KAFKA_BROKERS.length > 0)
    env.KAFKA_BROKERS = config.KAFKA_BROKERS.join(',');
  return {
    image: config.TRANSCODER_IMAGE,
    imagePullPolicy: config.TRANSCODER_IMAGE_PULL_POLICY,
    command: config.TRANSCODER_COMMAND,
    serviceAccountName: config.TRANSCODE_SERVICE_ACCOUNT,
    backoffLimit: config.TRANSCODE_BACKOFF_LIMIT,
    chunking: {
      thresholdSeconds: config.TRANSCODER_CHUNK_THRESHOLD_SECONDS,
      chunkSeconds: config.TRANSCODER_CHUNK_SECONDS,
    },
    partParallelism: config.TRANSCODE_PART_PARALLELISM,
    activeDeadlineSeconds: config.TRANSCODE_ACTIVE_DEADLINE_SECONDS,
    ttlSecondsAfterFinished: config.TRANSCODE_TTL_SECONDS_AFTER_FINISHED,
    resources: {
      requests: { cpu: config.TRANSCODE_CPU_REQUEST, memory: config.TRANSCODE_MEMORY_REQUEST },
      limits: {
        memory: config.TRANSCODE_MEMORY_LIMIT,
        ...(config.TRANSCODE_CPU_LIMIT && { cpu: config.TRANSCODE_CPU_LIMIT }),
      },
    },
    tmpSizeLimit: config.TRANSCODE_TMP_SIZE_LIMIT,
    envFromSecrets: [config.TRANSCODE_KAFKA_SECRET, config.TRANSCODE_S3_SECRET].filter((s): s is string =>
      Boolean(s),
    ),
    envFromConfigMaps: config.TRANSCODE_CONFIGMAP ? [config.TRANSCODE_CONFIGMAP] : [],
    env,
    podLabels: config.TRANSCODE_POD_LABELS,
    podAnnotations: config.TRANSCODE_POD_ANNOTATIONS,
  };
}
