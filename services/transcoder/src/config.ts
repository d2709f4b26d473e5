import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform-core/config';
import { DEFAULT_CHUNK_SECONDS } from '@moocflix/platform-core/transcoding';

/** The transcoder's own settings (read from ctx.env / process.env); every default serves `make dev`. */
const transcoderConfigSchema = z.object({
  /** Transcodes one worker process runs at once (each ffmpeg run already uses every core). */
  TRANSCODER_CONCURRENCY: env.int(1, 1),
  /** Kafka consumer group of the workers; every worker of one deployment shares it. */
  TRANSCODER_CONSUMER_GROUP: env.string('transcoder'),
  /** Wall-clock limit of one ffmpeg run; ffmpeg is killed and the request fails when it is reached. */
  TRANSCODER_TIME_LIMIT_SECONDS: env.int(3600, 1),
  TRANSCODER_PROBE_TIMEOUT_SECONDS: env.int(30, 1),
  /** Parent of the per-run temp folders ('%' is refused: ffmpeg reads it as a file name pattern). */
  TRANSCODER_WORK_DIR: z
    .string()
    .min(1)
    .regex(/^[^%]*$/, 'must not contain %')
    .default(join(tmpdir(), 'moocflix-transcoder')),
  /** x264 speed/quality trade-off; faster presets cost bit rate at equal quality. */
  TRANSCODER_X264_PRESET: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'])
    .default('veryfast'),
  /**
   * Sources longer than this are encoded in chunks and stitched (0: never). One process runs the
   * chunks one after another — the same plan an Indexed Job spreads over pods; see
   * docs/architecture.md (Video pipeline, chunked transcoding) for why 5 minutes.
   */
  TRANSCODER_CHUNK_THRESHOLD_SECONDS: env.int(300, 0),
  /** The chunk length, rounded down to whole 2 s segments; why 120 s: DEFAULT_CHUNK_SECONDS. */
  TRANSCODER_CHUNK_SECONDS: env.int(DEFAULT_CHUNK_SECONDS, 2),
  /**
   * Sources at least this long get a preview first (the smallest rung at ultrafast, published as
   * it grows), so they play within seconds instead of after the whole ladder (0: never).
   */
  TRANSCODER_PREVIEW_MIN_SECONDS: env.int(60, 0),
  /**
   * A progress tick is repeated at least this often while a request is worked on: the heartbeat
   * that keeps the attempt's lease in the content service (TRANSCODE_LEASE_MS there, 2 min by
   * default, must stay well above it).
   */
  TRANSCODER_HEARTBEAT_MS: env.int(15_000, 50),
  /** Attempts to publish Transcoding-Completed before giving up (and leaving the request to be redone). */
  TRANSCODER_PUBLISH_ATTEMPTS: env.int(6, 1),
});

export type TranscoderConfig = z.infer<typeof transcoderConfigSchema>;

export function loadTranscoderConfig(source: Record<string, string | undefined>): TranscoderConfig {
  return loadConfig(transcoderConfigSchema, source);
}
