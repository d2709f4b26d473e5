import { tmpdir } from 'node:os';
import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform-core/config';

/** The content service's own settings (the kit reads the common ones); defaults serve `make dev`. */
export const contentConfigSchema = z.object({
  /** Largest accepted upload (the file part); beyond it: 413 and nothing kept. Default 2 GiB. */
  UPLOAD_MAX_BYTES: env.int(2 * 1024 ** 3, 1),
  /** Where an upload's local copy is kept while ffprobe reads it (removed right after). */
  UPLOAD_TMP_DIR: env.string(tmpdir()),
  MEDIA_PROBE_TIMEOUT_MS: env.int(30_000, 100),
  /**
   * The HMAC key of playback tokens (≥ 32 characters). Required in a cluster, where every replica
   * must accept the others' tokens; in dev a key is generated once under MOOCFLIX_HOME/keys.
   */
  PLAYBACK_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  PLAYBACK_TOKEN_TTL_SECONDS: env.int(600, 10),
  MOOCFLIX_HOME: env.string('.moocflix'),
  /**
   * How often unreferenced video objects (deleted courses' videos, replaced or failed transcoder runs)
   * still waiting to be deleted are looked for: the safety net behind the purge each event triggers.
   */
  STORAGE_PURGE_SWEEP_INTERVAL_MS: env.int(60_000, 100),
  /**
   * A transcode attempt a transcoder works on is lost when no progress tick (the transcoder repeats
   * one as a heartbeat every TRANSCODER_HEARTBEAT_MS, 15 s by default) came for this long.
   */
  TRANSCODE_LEASE_MS: env.int(120_000, 100),
  /**
   * An attempt nobody picked up is lost after this long. Long, because waiting behind other videos
   * for a free transcoder is no failure; an attempt issued again would only join the same line.
   */
  TRANSCODE_QUEUE_TIMEOUT_MS: env.int(30 * 60_000, 100),
  /** Attempts per transcode request, the first included; then the video is `failed`. */
  TRANSCODE_MAX_ATTEMPTS: env.int(3, 1),
  /** How often expired leases are looked for. */
  TRANSCODE_LEASE_SWEEP_INTERVAL_MS: env.int(15_000, 50),
  /** Set by Kubernetes in every pod: how we know we run in a cluster. */
  KUBERNETES_SERVICE_HOST: env.optionalString(),
});

export type ContentConfig = z.infer<typeof contentConfigSchema>;

export const loadContentConfig = (source: Record<string, string | undefined>): ContentConfig =>
  loadConfig(contentConfigSchema, source);
