import { parseArgs } from 'node:util';
import { createEventBus, eventSchemas, Topics } from '@moocflix/platform-bus';
import { createLogger, type Logger } from '@moocflix/platform-core/log';
import { installProcessGuard } from '@moocflix/platform-core/process';
import { loadCommonServiceConfig } from '@moocflix/platform-runtime';
import { createObjectStorage, loadStorageConfig } from '@moocflix/platform-storage';
import { loadTranscoderConfig } from './config';
import type { TranscodingRequest } from './domain/transcode-video';
import { createTranscodingRequestHandler } from './request-handler';

/** Exit codes of one-shot mode; a Kubernetes Job retries on any non-zero one. */
export const OneShotExit = {
  succeeded: 0,
  /** The input could not be transcoded; a failed completion was published. */
  failed: 1,
  /** Unusable request or configuration; nothing was published. */
  invalid: 2,
  /** The transcode or its completion did not get through (storage, Kafka, shutdown): redo it. */
  incomplete: 3,
} as const;

const SERVICE = 'transcoder';

/**
 * One-shot mode, what a Kubernetes Job runs: one request from `--request <json>` (or the
 * TRANSCODE_REQUEST variable), the same code path as the worker, the completion published to Kafka,
 * then the exit code. No HTTP server, no database.
 */
export async function runOneShot(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const common = loadCommonServiceConfig(SERVICE, 0, env);
  const logger = createLogger(SERVICE, common.LOG_LEVEL).child({ mode: 'one-shot' });
  // One-shot mode is only ever a process's entry point (main.ts, a Job's container): the kit's
  // policy for the unexpected applies (logged, counted, non-zero exit, so the Job retries).
  installProcessGuard({ logger, name: 'transcoder one-shot' });

  const request = readRequest(argv, env, logger);
  if (!request) return OneShotExit.invalid;
  if (!common.KAFKA_BROKERS?.length) {
    logger.error('one-shot mode publishes its completion to Kafka: set KAFKA_BROKERS');
    return OneShotExit.invalid;
  }

  const bus = createEventBus({ kafkaBrokers: common.KAFKA_BROKERS, clientId: `${SERVICE}-one-shot`, logger });
  const storage = createObjectStorage(loadStorageConfig(env), logger);
  const handle = createTranscodingRequestHandler({
    storage,
    bus,
    logger,
    config: loadTranscoderConfig(env),
    source: SERVICE,
  });

  // The Job being deleted or preempted: stop ffmpeg, clean up, exit non-zero.
  const shutdown = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => shutdown.abort(new Error(`received ${signal}`));
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const outcome = await handle(request, shutdown.signal);
    logger.info(
      { status: outcome.status, videoId: request.videoId, requestId: request.requestId },
      'transcode finished',
    );
    return outcome.status === 'succeeded' ? OneShotExit.succeeded : OneShotExit.failed;
  } catch (err) {
    logger.error(
      { err, videoId: request.videoId, requestId: request.requestId },
      'transcode did not complete',
    );
    return OneShotExit.incomplete;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await bus.close();
  }
}

/** The Transcoding-Request data, given as is or as its CloudEvent (what the operator's intake consumed). */
function readRequest(
  argv: string[],
  env: Record<string, string | undefined>,
  logger: Logger,
): TranscodingRequest | null {
  let raw: string | undefined;
  try {
    raw = parseArgs({ args: argv, options: { request: { type: 'string' } }, strict: true }).values.request;
  } catch (err) {
    logger.error({ err }, 'usage: main.ts one-shot [--request <json>]');
    return null;
  }
  raw ??= env.TRANSCODE_REQUEST;
  if (!raw) {
    logger.error('no request: pass --request <json> or set TRANSCODE_REQUEST');
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    logger.error('the request is not JSON');
    return null;
  }
  const data = isCloudEvent(json) ? json.data : json;
  const parsed = eventSchemas[Topics.TranscodingRequest].safeParse(data);
  if (!parsed.success) {
    logger.error({ issues: parsed.error.issues }, 'the request is not a valid Transcoding-Request');
    return null;
  }
  return parsed.data;
}

function isCloudEvent(json: unknown): json is { data: unknown } {
  return typeof json === 'object' && json !== null && 'specversion' in json && 'data' in json;
}
