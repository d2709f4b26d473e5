import { transcodeAttemptOf, type EventBus } from '@moocflix/platform-bus';
import type { Logger } from '@moocflix/platform-core/log';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import type { ObjectStorage } from '@moocflix/platform-storage';
import type { TranscoderConfig } from './config';
import { handleTranscodingRequest, type TranscodeWork } from './domain/handle-transcoding-request';
import type { PartOutcome } from './domain/transcode-parts';
import type { TranscodeOutcome, TranscodingRequest } from './domain/transcode-video';
import { TranscodingEventPublisher } from './events/transcoding-event-publisher';

export type TranscodingRequestHandler = (
  request: TranscodingRequest,
  signal: AbortSignal,
  /** The whole transcode unless given (one-shot mode runs a part or the stitch). */
  work?: TranscodeWork,
) => Promise<TranscodeOutcome | PartOutcome>;

/** Wires the one code path both modes run (worker: service.ts, one-shot: one-shot.ts). */
export function createTranscodingRequestHandler(deps: {
  storage: ObjectStorage;
  bus: EventBus;
  logger: Logger;
  config: TranscoderConfig;
  /** CloudEvents `source` of the published events. */
  source: string;
}): TranscodingRequestHandler {
  const { storage, bus, logger, config, source } = deps;
  const binaries = resolveFfmpegBinaries();
  const events = new TranscodingEventPublisher({
    bus,
    source,
    logger,
    publishAttempts: config.TRANSCODER_PUBLISH_ATTEMPTS,
    heartbeatMs: config.TRANSCODER_HEARTBEAT_MS,
  });
  const settings = {
    timeLimitMs: config.TRANSCODER_TIME_LIMIT_SECONDS * 1000,
    probeTimeoutMs: config.TRANSCODER_PROBE_TIMEOUT_SECONDS * 1000,
    x264Preset: config.TRANSCODER_X264_PRESET,
    workDir: config.TRANSCODER_WORK_DIR,
    chunking: {
      thresholdSeconds: config.TRANSCODER_CHUNK_THRESHOLD_SECONDS,
      chunkSeconds: config.TRANSCODER_CHUNK_SECONDS,
    },
    previewMinSeconds: config.TRANSCODER_PREVIEW_MIN_SECONDS,
  };
  return (request, signal, work) =>
    handleTranscodingRequest(
      request,
      {
        storage,
        binaries,
        settings,
        logger: logger.child({
          videoId: request.videoId,
          requestId: request.requestId,
          attemptId: transcodeAttemptOf(request).attemptId,
        }),
        events,
        now: () => new Date(),
      },
      signal,
      work,
    );
}
