import type { Logger } from 'pino';
import type { Pool } from '@moocflix/platform-db';
import type { ObjectStorage } from '@moocflix/platform-storage';
import type { HlsOutputStore } from '../data/hls-output-store';
import type { HlsCatalog } from './hls-catalog';
import type { PlaybackTokens } from './playback-token';
import type { TranscodeAttemptPolicy } from './transcode-attempts';

/** What the use cases need; built once by service.ts. */
export interface UseCaseContext {
  pool: Pool;
  storage: ObjectStorage;
  logger: Logger;
  /** CloudEvents `source` of the events this service produces. */
  eventSource: string;
  uploads: {
    maxBytes: number;
    tmpDir: string;
    probeTimeoutMs: number;
  };
  /** Leases and retries of transcode attempts. */
  transcoding: TranscodeAttemptPolicy;
  playback: {
    tokens: PlaybackTokens;
    outputs: HlsOutputStore;
    catalog: HlsCatalog;
    /** e.g. /api/v1/content: the rewritten playlists point here. */
    basePath: string;
  };
}
