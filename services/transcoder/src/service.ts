import { Router } from 'express';
import { Topics } from '@moocflix/platform-bus';
import type { ServiceModule } from '@moocflix/platform-http';
import type { ServiceContext } from '@moocflix/platform-runtime';
import { loadTranscoderConfig } from './config';
import { TranscodingRequestWorker } from './events/transcoding-request-worker';
import { transcoderOpenApi } from './openapi';
import { createTranscodingRequestHandler } from './request-handler';
import { sweepStaleWorkDirs } from './work-dir';

export const TRANSCODER_BASE_PATH = '/api/v1/transcoder';
const PRODUCED_TOPICS = [Topics.TranscodingCompleted, Topics.TranscodingProgress];

/**
 * The transcoder in worker mode: consumes Transcoding-Request, runs ffmpeg, publishes
 * Transcoding-Progress and Transcoding-Completed. No public routes and no database: HTTP serves only
 * health, metrics and this OpenAPI document. `make dev` mounts it so uploads get transcoded in-process.
 */
export async function createTranscoderService(ctx: ServiceContext): Promise<ServiceModule> {
  const config = loadTranscoderConfig(ctx.env);
  const handle = createTranscodingRequestHandler({
    storage: ctx.storage,
    bus: ctx.bus,
    logger: ctx.logger,
    config,
    source: ctx.name,
  });
  const worker = new TranscodingRequestWorker({
    bus: ctx.bus,
    groupId: config.TRANSCODER_CONSUMER_GROUP,
    concurrency: config.TRANSCODER_CONCURRENCY,
    logger: ctx.logger,
    handle,
  });

  return {
    name: ctx.name,
    basePath: TRANSCODER_BASE_PATH,
    router: Router(),
    openapi: transcoderOpenApi,
    readiness: [{ name: 'transcoding-worker', check: async () => worker.running }],
    async start() {
      const stale = await sweepStaleWorkDirs(
        config.TRANSCODER_WORK_DIR,
        config.TRANSCODER_TIME_LIMIT_SECONDS * 1000 * 2,
      );
      if (stale.length) ctx.logger.info({ removed: stale }, 'removed work folders of killed runs');
      await ctx.bus.ensureTopics(PRODUCED_TOPICS);
      await worker.start();
    },
    async stop() {
      await worker.stop();
    },
  };
}
