import { tmpdir } from 'node:os';
import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform/config';

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
  /** Set by Kubernetes in every pod: how we know we run in a cluster. */
  KUBERNETES_SERVICE_HOST: env.optionalString(),
});

export type ContentConfig = z.infer<typeof contentConfigSchema>;

export const loadContentConfig = (source: Record<string, string | undefined>): ContentConfig =>
  loadConfig(contentConfigSchema, source);
