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
  /**
   * Open GET /:videoId/events streams per process; one more is a 503. Each holds a connection (and
   * a socket on the ingress); the database cost is one query per tick for all of them together.
   */
  VIDEO_EVENT_STREAMS_MAX: env.int(1000, 1),
  /** How often the watched videos are read for the event streams (changes show up this late at most). */
  VIDEO_EVENT_POLL_INTERVAL_MS: env.int(1000, 50),
  /** A `: keepalive` comment on a stream after this long without an event (proxies close idle connections). */
  VIDEO_EVENT_KEEPALIVE_MS: env.int(15_000, 100),
  /** Set by Kubernetes in every pod: how we know we run in a cluster. */
  KUBERNETES_SERVICE_HOST: env.optionalString(),
});

export type ContentConfig = z.infer<typeof contentConfigSchema>;

export const loadContentConfig = (source: Record<string, string | undefined>): ContentConfig =>
  loadConfig(contentConfigSchema, source);
