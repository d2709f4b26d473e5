/**
 * Where a video is in its life: uploaded → queued → transcoding → (playable →) ready | failed.
 * `playable`: a first transcode's preview (its smallest rendition, still growing) is served while
 * the full ladder encodes.
 */
export const VIDEO_STATUSES = ['uploaded', 'queued', 'transcoding', 'playable', 'ready', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** One HLS variant as the transcoder produced it. */
export interface VideoRendition {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  codecs?: string;
}

export interface Video {
  id: string;
  courseId: string;
  title: string;
  uploadedBy: string;
  status: VideoStatus;
  progress: number;
  sourceKey: string;
  sourceFormat: string;
  originalFilename: string | null;
  sizeBytes: number;
  checksumSha256: string;
  durationSeconds: number | null;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
  requestId: string | null;
  /** The current attempt at the request (the first one's id is the request id) and its number. */
  attemptId: string | null;
  attempt: number | null;
  /** While in flight: when the current attempt counts as lost unless a progress tick renews it. */
  leaseExpiresAt: Date | null;
  requestedBy: string | null;
  requestedAt: Date | null;
  /** Where the current attempt's transcoder run writes. */
  outputPrefix: string | null;
  /** The output folder of the run being served (the last successful one). */
  playbackPrefix: string | null;
  masterPlaylistKey: string | null;
  posterKey: string | null;
  renditions: VideoRendition[];
  error: string | null;
  /** Set when the video's course was deleted: the video answers 404 and its objects are purged. */
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A transcoding request is in flight: asking again returns it instead of starting another. */
export const isInFlight = (status: VideoStatus): boolean =>
  status === 'queued' || status === 'transcoding' || status === 'playable';

/**
 * The folder of a completed run being served, if any. A `playable` video serves its current
 * attempt's preview, which lives and dies with that attempt: it is no served run to keep.
 */
export const servedRunPrefix = (video: Video): string | null =>
  video.status === 'playable' ? null : video.playbackPrefix;

/**
 * What is served: the outputs of the last successful transcode, as paths relative to their folder;
 * null before the first success. A re-transcode keeps the previous outputs playable meanwhile.
 */
export function playableOutputs(
  video: Video,
): { prefix: string; masterPath: string; posterPath: string | null } | null {
  const { playbackPrefix: prefix, masterPlaylistKey: master, posterKey: poster } = video;
  if (prefix === null || master === null) return null;
  return {
    prefix,
    masterPath: master.slice(prefix.length),
    posterPath: poster === null ? null : poster.slice(prefix.length),
  };
}

/**
 * The API shape: storage keys and who asked stay internal. `posterUrl` is the poster
 * with a playback token in it (see posterUrl()), for watchers reading the video; null otherwise.
 */
export function videoView(video: Video, posterUrl: string | null = null) {
  return {
    videoId: video.id,
    courseId: video.courseId,
    title: video.title,
    status: video.status,
    progress: video.progress,
    durationSeconds: video.durationSeconds,
    width: video.width,
    height: video.height,
    sizeBytes: video.sizeBytes,
    checksum: video.checksumSha256,
    container: video.sourceFormat,
    videoCodec: video.videoCodec,
    audioCodec: video.audioCodec,
    originalFilename: video.originalFilename,
    renditions: video.renditions.map(({ name, width, height, bandwidth }) => ({
      name,
      width,
      height,
      bandwidth,
    })),
    requestId: video.requestId,
    error: video.error,
    posterUrl,
    createdAt: video.createdAt.toISOString(),
    updatedAt: video.updatedAt.toISOString(),
  };
}

export type VideoView = ReturnType<typeof videoView>;
