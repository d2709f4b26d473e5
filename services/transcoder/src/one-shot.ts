import { parseArgs } from 'node:util';
import { createEventBus, eventSchemas, Topics } from '@moocflix/platform-bus';
import { createLogger, type Logger } from '@moocflix/platform-core/log';
import { installProcessGuard } from '@moocflix/platform-core/process';
import { loadCommonServiceConfig } from '@moocflix/platform-runtime';
import { createObjectStorage, loadStorageConfig } from '@moocflix/platform-storage';
import { loadTranscoderConfig } from './config';
import type { TranscodeWork } from './domain/handle-transcoding-request';
import { InvalidPartError, stitchParts, transcodePart } from './domain/transcode-parts';
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
 *
 * A long request split across pods (domain/transcode-parts.ts) runs it in pieces: `--part <n>`
 * (or `--part job-index`: the JOB_COMPLETION_INDEX an Indexed Job gives each pod) encodes one part
 * and publishes nothing when it succeeds; `--stitch` joins the parts and publishes the completion.
 */
export async function runOneShot(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const common = loadCommonServiceConfig(SERVICE, 0, env);
  const logger = createLogger(SERVICE, common.LOG_LEVEL).child({ mode: 'one-shot' });
  // One-shot mode is only ever a process's entry point (main.ts, a Job's container): the kit's
  // policy for the unexpected applies (logged, counted, non-zero exit, so the Job retries).
  installProcessGuard({ logger, name: 'transcoder one-shot' });

  const cli = readCommandLine(argv, env, logger);
  if (!cli) return OneShotExit.invalid;
  const { request, work } = cli;
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
    const outcome = await handle(request, shutdown.signal, work);
    logger.info(
      { status: outcome.status, videoId: request.videoId, requestId: request.requestId },
      'transcode finished',
    );
    return outcome.status === 'failed' ? OneShotExit.failed : OneShotExit.succeeded;
  } catch (err) {
    if (err instanceof InvalidPartError) {
      logger.error({ err, videoId: request.videoId }, 'not a part of this request');
      return OneShotExit.invalid;
    }
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

const USAGE = 'usage: main.ts one-shot [--request <json>] [--part <n>|job-index | --stitch]';

/** The request and what to do with it: the whole transcode, one part, or the stitch. */
function readCommandLine(
  argv: string[],
  env: Record<string, string | undefined>,
  logger: Logger,
): { request: TranscodingRequest; work: TranscodeWork | undefined } | null {
  let values: { request?: string; part?: string; stitch?: boolean };
  try {
    values = parseArgs({
      args: argv,
      options: { request: { type: 'string' }, part: { type: 'string' }, stitch: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (err) {
    logger.error({ err }, USAGE);
    return null;
  }
  if (values.part !== undefined && values.stitch) {
    logger.error(`--part and --stitch exclude each other; ${USAGE}`);
    return null;
  }
  const request = readRequest(values.request ?? env.TRANSCODE_REQUEST, logger);
  if (!request) return null;
  if (values.stitch) return { request, work: stitchParts };
  if (values.part === undefined) return { request, work: undefined };
  const raw = values.part === 'job-index' ? env.JOB_COMPLETION_INDEX : values.part;
  const index = raw !== undefined && /^\d{1,6}$/.test(raw) ? Number(raw) : null;
  if (index === null) {
    logger.error(
      { part: values.part, JOB_COMPLETION_INDEX: env.JOB_COMPLETION_INDEX },
      `no part index; ${USAGE}`,
    );
    return null;
  }
  return { request, work: (req, deps, signal) => transcodePart(req, index, deps, signal) };
}

/** The Transcoding-Request data, given as is or as its CloudEvent (what the operator's intake consumed). */
function readRequest(raw: string | undefined, logger: Logger): TranscodingRequest | null {
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
