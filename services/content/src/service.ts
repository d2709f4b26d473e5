import { join } from 'node:path';
import { Router } from 'express';
import { runMigrations } from '@moocflix/platform-db';
import { KIT_MIGRATIONS_DIR } from '@moocflix/platform-bus';
import type { ServiceModule } from '@moocflix/platform-http';
import { periodicTask } from '@moocflix/platform-core/process';
import { databaseReadiness, outboxRelayFor, type ServiceContext } from '@moocflix/platform-runtime';
import { loadContentConfig } from './content-config';
import { HlsOutputStore } from './data/hls-output-store';
import type { UseCaseContext } from './domain/use-case-context';
import { HlsCatalog } from './domain/hls-catalog';
import { PlaybackTokens } from './domain/playback-token';
import { StoragePurger } from './domain/storage-purger';
import { VideoWatchHub } from './domain/video-watch';
import { sweepExpiredLeases, type TranscodeAttemptPolicy } from './domain/transcode-attempts';
import { createContentEventsConsumer } from './events/content-events-consumer';
import { playbackRoutes } from './http/playback-routes';
import { uploadRoutes } from './http/upload-routes';
import { videoRoutes } from './http/video-routes';
import { contentOpenApi } from './openapi';
import { loadPlaybackKey } from './playback-key';

export const CONTENT_BASE_PATH = '/api/v1/content';
export const CONTENT_MIGRATIONS_DIR = join(__dirname, '../migrations');

/** Content Delivery: uploads, metadata, transcoding requests, HLS playback. */
export async function createContentService(ctx: ServiceContext): Promise<ServiceModule> {
  const config = loadContentConfig(ctx.env);
  await runMigrations(ctx.pool, [KIT_MIGRATIONS_DIR, CONTENT_MIGRATIONS_DIR], ctx.logger);
  const outputs = new HlsOutputStore(ctx.storage);
  const transcoding: TranscodeAttemptPolicy = {
    leaseMs: config.TRANSCODE_LEASE_MS,
    queueTimeoutMs: config.TRANSCODE_QUEUE_TIMEOUT_MS,
    maxAttempts: config.TRANSCODE_MAX_ATTEMPTS,
    eventSource: ctx.name,
  };
  const content: UseCaseContext = {
    pool: ctx.pool,
    storage: ctx.storage,
    logger: ctx.logger,
    eventSource: ctx.name,
    uploads: {
      maxBytes: config.UPLOAD_MAX_BYTES,
      tmpDir: config.UPLOAD_TMP_DIR,
      probeTimeoutMs: config.MEDIA_PROBE_TIMEOUT_MS,
    },
    transcoding,
    playback: {
      tokens: new PlaybackTokens(
        await loadPlaybackKey(config, ctx.logger),
        config.PLAYBACK_TOKEN_TTL_SECONDS,
      ),
      outputs,
      catalog: new HlsCatalog(outputs),
      basePath: CONTENT_BASE_PATH,
    },
  };
  const relay = outboxRelayFor(ctx);
  const purger = new StoragePurger({
    pool: ctx.pool,
    storage: ctx.storage,
    logger: ctx.logger,
    sweepIntervalMs: config.STORAGE_PURGE_SWEEP_INTERVAL_MS,
  });
  const events = createContentEventsConsumer(ctx, purger, transcoding);
  // Lost transcode attempts (a killed transcoder, nobody picking a request up) are retried or failed.
  const leaseSweeper = periodicTask({
    name: 'transcode-lease-sweep',
    logger: ctx.logger,
    intervalMs: config.TRANSCODE_LEASE_SWEEP_INTERVAL_MS,
    run: async (signal) => {
      if (await sweepExpiredLeases(ctx.pool, ctx.logger, transcoding, signal)) purger.wake();
    },
  });

  const watches = new VideoWatchHub({
    pool: ctx.pool,
    logger: ctx.logger,
    maxStreams: config.VIDEO_EVENT_STREAMS_MAX,
    pollIntervalMs: config.VIDEO_EVENT_POLL_INTERVAL_MS,
    keepAliveMs: config.VIDEO_EVENT_KEEPALIVE_MS,
  });

  const router = Router();
  router.use(uploadRoutes(content, ctx.auth));
  router.use(playbackRoutes(content, ctx.auth));
  router.use(videoRoutes(content, ctx.auth, watches));

  return {
    name: ctx.name,
    basePath: CONTENT_BASE_PATH,
    router,
    openapi: contentOpenApi,
    readiness: [databaseReadiness(ctx.pool)],
    async start() {
      await relay.start();
      purger.start();
      await events.start();
      leaseSweeper.start();
    },
    async stop() {
      await watches.stop();
      await leaseSweeper.stop();
      await events.stop();
      await purger.stop();
      await relay.stop();
    },
  };
}
