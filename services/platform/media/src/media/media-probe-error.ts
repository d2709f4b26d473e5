/**
 * Why an input was not accepted as a video. Every reason describes the upload, not our system:
 * callers answer 4xx (415), never 500 — even `probe-crashed`, because the static ffprobe build has
 * been seen to crash on MPEG-TS input, and `timeout`, which a pathological file can cause.
 */
export type MediaProbeFailure =
  'not-media' | 'no-video-stream' | 'refused-container' | 'probe-crashed' | 'timeout';

export class MediaProbeError extends Error {
  constructor(
    readonly reason: MediaProbeFailure,
    message: string,
    /** ffprobe's name for the detected format when one was detected (e.g. `hls` for a refused playlist). */
    readonly formatName: string | null = null,
  ) {
    super(message);
    this.name = 'MediaProbeError';
  }
}
