import type { EventData, Topics } from '@moocflix/platform-bus';
import { outputPrefixOf } from '../../src/domain/video-keys';

export type Completion = EventData<typeof Topics.TranscodingCompleted>;

/**
 * What a transcoder publishes for a successful run of an attempt (by default the request's first,
 * whose id is the request id): one 240p rendition, the master and the poster in the attempt's folder.
 */
export function succeededCompletion(
  videoId: string,
  requestId: string,
  overrides: Partial<Completion> = {},
): Completion {
  const prefix = outputPrefixOf(videoId, overrides.attemptId ?? requestId);
  return {
    requestId,
    videoId,
    status: 'succeeded',
    renditions: [
      {
        name: '240p',
        width: 320,
        height: 240,
        bandwidth: 396_000,
        codecs: 'avc1.64000d,mp4a.40.2',
        playlistKey: `${prefix}240p/index.m3u8`,
      },
    ],
    masterPlaylistKey: `${prefix}master.m3u8`,
    posterKey: `${prefix}poster.jpg`,
    durationSeconds: 2,
    error: null,
    completedAt: new Date().toISOString(),
    ...overrides,
  };
}
