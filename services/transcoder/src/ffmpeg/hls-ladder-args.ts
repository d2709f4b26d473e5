import { join, resolve } from 'node:path';
import { SEGMENT_SECONDS } from '@moocflix/platform-core/transcoding';
import type { Rendition } from '../domain/rendition-ladder';

/** Segment length and keyframe interval (the kit's, so chunks are cut on the same grid). */
export { SEGMENT_SECONDS };
export const AUDIO_BITRATE = 128_000;
/** x264's constant rate factor for every rung (its default); the rung's bit rate caps it. */
export const LADDER_CRF = 23;
/** Every source's audio is downmixed (or upmixed) to stereo. */
export const AUDIO_CHANNELS = 2;
export const POSTER_FILE = 'poster.jpg';
export const VARIANT_PLAYLIST_FILE = 'index.m3u8';

/** ffmpeg names variant folders by index (the 2018 static build has no `name:` in -var_stream_map). */
export const variantDir = (index: number): string => `v${index}`;

/**
 * The audio is encoded once, as its own variant stream after the video ones (so ffmpeg writes it to
 * `v<renditions.length>/`), and the master playlist offers it as one EXT-X-MEDIA audio group every
 * video variant references: one AAC encode instead of one per rendition, and no audio bytes
 * duplicated in every rendition's segments.
 */
export const audioVariantDir = (renditionCount: number): string => variantDir(renditionCount);

export interface HlsLadderJob {
  /** The probed local source file. */
  inputPath: string;
  /** The demuxer the probe identified; forced so ffmpeg cannot pick a playlist or concat demuxer itself. */
  demuxer: string;
  renditions: Rendition[];
  hasAudio: boolean;
  outputDir: string;
  /** Where the poster frame is taken from; null for no poster (a chunk after the first). */
  posterAtSeconds: number | null;
  x264Preset: string;
  /**
   * Encode only this range of the source (a chunk): an accurate seek (decode from the keyframe
   * before, drop frames up to the start) so the chunk starts on exactly the frame the single-pass
   * encode would have there; null duration reads to the end.
   */
  timeRange?: { startSeconds: number; durationSeconds: number | null };
}

/**
 * The whole ladder as ONE ffmpeg run: one decode, `split` into one scaler per rendition plus the
 * poster, libx264 per rendition + ONE AAC audio-only variant, a keyframe forced every SEGMENT_SECONDS in every rendition (and no scene-cut
 * keyframes), HLS with fMP4 segments, progress as key=value lines on stdout. The master playlist is
 * not ffmpeg's: the 2018 static build writes it empty with fMP4 and never writes CODECS, so
 * master-playlist.ts writes it from the outputs.
 */
export function buildHlsLadderArgs(job: HlsLadderJob): string[] {
  const { renditions, hasAudio, outputDir } = job;
  const n = renditions.length;
  const poster = job.posterAtSeconds;
  const branches = renditions.map((_, i) => `[s${i}]`).join('');
  const filters = [
    `[0:v:0]split=${n + (poster === null ? 0 : 1)}${branches}${poster === null ? '' : '[sposter]'}`,
    ...renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height},setsar=1,format=yuv420p[v${i}]`),
    // Only the first frame at or after the poster time passes, so the poster branch scales one frame.
    ...(poster === null
      ? []
      : [
          `[sposter]select='isnan(prev_selected_t)*gte(t,${poster.toFixed(3)})',` +
            `scale=${renditions[n - 1]!.width}:${renditions[n - 1]!.height},setsar=1[poster]`,
        ]),
  ];
  const range = job.timeRange
    ? [
        '-ss',
        job.timeRange.startSeconds.toFixed(3),
        ...(job.timeRange.durationSeconds === null ? [] : ['-t', job.timeRange.durationSeconds.toFixed(3)]),
      ]
    : [];

  const maps = [...renditions.flatMap((_, i) => ['-map', `[v${i}]`]), ...(hasAudio ? ['-map', '0:a:0'] : [])];
  // Capped CRF: a constant quality, never above 1.1× the rung's bit rate (VBV). Quality-based rate
  // control keeps no state that matters across a cut, so a chunked encode's chunks match each other
  // and the single pass at the joins; ABR (a bit-rate target) restarts its budget in every chunk and
  // left whole chunks of static content 4 dB below the single pass.
  const rates = renditions.flatMap((r, i) => [
    `-crf:v:${i}`,
    String(LADDER_CRF),
    `-maxrate:v:${i}`,
    String(Math.round(r.videoBitrate * 1.1)),
    `-bufsize:v:${i}`,
    String(r.videoBitrate * 2),
  ]);
  // Video variants first, in ladder order, then the audio-only one (its folder is audioVariantDir).
  const streamMap = [...renditions.map((_, i) => `v:${i}`), ...(hasAudio ? ['a:0'] : [])].join(' ');

  // prettier-ignore
  return [
    ...inputOptions(job.inputPath, job.demuxer, range),
    '-filter_complex', filters.join(';'),
    // Output 1: the HLS ladder.
    ...maps,
    '-c:v', 'libx264', '-preset', job.x264Preset, '-profile:v', 'high',
    '-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
    ...rates,
    ...(hasAudio ? AAC_OPTIONS : []),
    ...hlsOutputOptions(join(outputDir, 'v%v')),
    '-var_stream_map', streamMap,
    join(outputDir, 'v%v', VARIANT_PLAYLIST_FILE),
    // Output 2: the poster.
    ...(poster === null ? [] : [
      '-map', '[poster]', '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-update', '1',
      join(outputDir, POSTER_FILE),
    ]),
  ];
}

// prettier-ignore
const AAC_OPTIONS = ['-c:a', 'aac', '-b:a', String(AUDIO_BITRATE), '-ac', String(AUDIO_CHANNELS)];

/** ffmpeg's common start and the input: only local files (and our own pipes), with the probed demuxer. */
function inputOptions(inputPath: string, demuxer: string, range: string[] = []): string[] {
  // prettier-ignore
  return [
    '-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error',
    '-progress', 'pipe:1',
    '-protocol_whitelist', 'file,pipe',
    ...range,
    '-f', demuxer,
    '-i', `file:${resolve(inputPath)}`,
  ];
}

/** fMP4 HLS, VOD, SEGMENT_SECONDS segments named seg_NNNNN.m4s in `segmentDir`. */
function hlsOutputOptions(segmentDir: string): string[] {
  // prettier-ignore
  return [
    '-f', 'hls',
    '-hls_time', String(SEGMENT_SECONDS),
    '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4',
    '-hls_segment_filename', join(segmentDir, 'seg_%05d.m4s'),
  ];
}

/**
 * The audio alone, the whole source in one encode, as the audio rendition group of a chunked
 * transcode (the video chunks carry no audio): one AAC encode means no encoder priming at the
 * joins, so nothing to stitch for audio. Writes `outputDir/index.m3u8` and its segments.
 */
export function buildAudioRenditionArgs(job: {
  inputPath: string;
  demuxer: string;
  outputDir: string;
}): string[] {
  // prettier-ignore
  return [
    ...inputOptions(job.inputPath, job.demuxer),
    '-map', '0:a:0', '-vn',
    ...AAC_OPTIONS,
    ...hlsOutputOptions(job.outputDir),
    join(job.outputDir, VARIANT_PLAYLIST_FILE),
  ];
}
