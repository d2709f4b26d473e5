import { join, resolve } from 'node:path';
import type { Rendition } from '../domain/rendition-ladder';

/** Segment length and keyframe interval, in seconds: every rendition cuts at the same instants. */
export const SEGMENT_SECONDS = 2;
export const AUDIO_BITRATE = 128_000;
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
  /** Where the poster frame is taken from. */
  posterAtSeconds: number;
  x264Preset: string;
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
  const branches = renditions.map((_, i) => `[s${i}]`).join('');
  const filters = [
    `[0:v:0]split=${n + 1}${branches}[sposter]`,
    ...renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height},setsar=1,format=yuv420p[v${i}]`),
    // Only the first frame at or after the poster time passes, so the poster branch scales one frame.
    `[sposter]select='isnan(prev_selected_t)*gte(t,${job.posterAtSeconds.toFixed(3)})',` +
      `scale=${renditions[n - 1]!.width}:${renditions[n - 1]!.height},setsar=1[poster]`,
  ];

  const maps = [...renditions.flatMap((_, i) => ['-map', `[v${i}]`]), ...(hasAudio ? ['-map', '0:a:0'] : [])];
  const rates = renditions.flatMap((r, i) => [
    `-b:v:${i}`,
    String(r.videoBitrate),
    `-maxrate:v:${i}`,
    String(Math.round(r.videoBitrate * 1.1)),
    `-bufsize:v:${i}`,
    String(r.videoBitrate * 2),
  ]);
  // Video variants first, in ladder order, then the audio-only one (its folder is audioVariantDir).
  const streamMap = [...renditions.map((_, i) => `v:${i}`), ...(hasAudio ? ['a:0'] : [])].join(' ');

  // prettier-ignore
  return [
    '-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error',
    '-progress', 'pipe:1',
    // Input: only local files (and our own pipes), read with the demuxer the probe identified.
    '-protocol_whitelist', 'file,pipe',
    '-f', job.demuxer,
    '-i', `file:${resolve(job.inputPath)}`,
    '-filter_complex', filters.join(';'),
    // Output 1: the HLS ladder.
    ...maps,
    '-c:v', 'libx264', '-preset', job.x264Preset, '-profile:v', 'high',
    '-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
    ...rates,
    ...(hasAudio ? ['-c:a', 'aac', '-b:a', String(AUDIO_BITRATE), '-ac', String(AUDIO_CHANNELS)] : []),
    '-f', 'hls',
    '-hls_time', String(SEGMENT_SECONDS),
    '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4',
    '-hls_segment_filename', join(outputDir, 'v%v', 'seg_%05d.m4s'),
    '-var_stream_map', streamMap,
    join(outputDir, 'v%v', VARIANT_PLAYLIST_FILE),
    // Output 2: the poster.
    '-map', '[poster]', '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-update', '1',
    join(outputDir, POSTER_FILE),
  ];
}
