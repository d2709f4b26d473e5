import { join } from 'node:path';
import { assertValidKey } from '@moocflix/platform-storage';
import { chunksFor } from '@moocflix/platform-core/transcoding';
import { encodeChunked } from '../chunks/encode-chunked';
import { buildHlsLadderArgs, POSTER_FILE } from '../ffmpeg/hls-ladder-args';
import {
  MASTER_PLAYLIST_FILE,
  packageHlsOutput,
  type HlsPackage,
  type PackagedRendition,
} from '../hls/hls-package';
import { withWorkDir } from '../work-dir';
import {
  describeInputFailure,
  ENCODING_SHARE,
  ffmpegRunner,
  outputPrefixOf,
  prepareSource,
  previewIfLong,
  uploadFiles,
  type TranscodeDependencies,
  type TranscodingRequest,
} from './transcode-steps';

export type { TranscodeDependencies, TranscodeSettings, TranscodingRequest } from './transcode-steps';

export type TranscodeOutcome =
  | {
      status: 'succeeded';
      renditions: (PackagedRendition & { playlistKey: string })[];
      masterPlaylistKey: string;
      posterKey: string | null;
      durationSeconds: number | null;
    }
  | { status: 'failed'; error: string; durationSeconds: number | null };

/**
 * One transcode, start to end: fetch the source, probe it again (the request's `sourceFormat` is
 * not trusted), publish a fast preview first when the source is long (src/preview), run the whole
 * ladder as one ffmpeg process (or, for a long source, in chunks that are stitched back:
 * src/chunks), package and upload the HLS outputs.
 * An input that cannot become a video (not media, a refused container, ffmpeg failing on it, the
 * time limit, a missing source) ends as a `failed` outcome; infrastructure errors (storage
 * unreachable) and an abort (shutdown) throw, so the request stays unacknowledged and is redone.
 */
export async function transcodeVideo(
  request: TranscodingRequest,
  deps: TranscodeDependencies,
  signal: AbortSignal,
): Promise<TranscodeOutcome> {
  const { storage, settings, logger } = deps;
  const prefix = outputPrefixOf(request);
  let durationSeconds: number | null = null;
  try {
    assertValidKey(`${prefix}/${MASTER_PLAYLIST_FILE}`);
    return await withWorkDir(settings.workDir, async (dir) => {
      const source = await prepareSource(request, deps, dir, signal);
      const { probe, ladder } = source;
      const duration = (durationSeconds = probe.durationSeconds);
      const outputDir = join(dir, 'out');
      const run = ffmpegRunner(deps, signal);
      // A long source is playable at its smallest size within seconds; the ladder follows.
      await previewIfLong(request, deps, source, dir, run);
      const chunks = chunksFor(duration, settings.chunking);
      if (chunks && duration) {
        logger.info({ videoId: request.videoId, chunks: chunks.length }, 'encoding in chunks');
        await encodeChunked(
          { ...ladder, chunks, chunksDir: join(dir, 'chunks'), outputDir, sourceSeconds: duration },
          run,
          (share) => deps.reportProgress(share * ENCODING_SHARE),
        );
      } else {
        await run(buildHlsLadderArgs({ ...ladder, outputDir }), (outTime) => {
          if (duration) deps.reportProgress(Math.min(ENCODING_SHARE, (outTime / duration) * ENCODING_SHARE));
        });
      }

      const hls = await packageHlsOutput(outputDir, ladder.renditions, ladder.hasAudio);
      await uploadFiles(storage, prefix, hls.files, signal);
      return succeeded(prefix, hls, durationSeconds);
    });
  } catch (err) {
    const error = describeInputFailure(err);
    if (error === null) throw err;
    logger.info({ videoId: request.videoId, requestId: request.requestId, error }, 'transcode failed');
    return { status: 'failed', error, durationSeconds };
  }
}

/** The outcome of an uploaded package under `prefix`. */
export function succeeded(prefix: string, hls: HlsPackage, durationSeconds: number | null): TranscodeOutcome {
  return {
    status: 'succeeded',
    renditions: hls.renditions.map((r) => ({ ...r, playlistKey: `${prefix}/${r.playlist}` })),
    masterPlaylistKey: `${prefix}/${MASTER_PLAYLIST_FILE}`,
    posterKey: hls.hasPoster ? `${prefix}/${POSTER_FILE}` : null,
    durationSeconds,
  };
}
