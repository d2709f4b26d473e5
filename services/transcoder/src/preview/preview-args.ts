import { join, resolve } from 'node:path';
import type { Rendition } from '../domain/rendition-ladder';
import {
  AUDIO_CHANNELS,
  LADDER_CRF,
  SEGMENT_SECONDS,
  VARIANT_PLAYLIST_FILE,
} from '../ffmpeg/hls-ladder-args';

/** The preview's x264 preset: the fastest, so it runs several times faster than real time. */
export const PREVIEW_PRESET = 'ultrafast';
export const PREVIEW_AUDIO_BITRATE = 96_000;

export interface PreviewJob {
  inputPath: string;
  demuxer: string;
  /** The ladder's smallest rung. */
  rendition: Rendition;
  hasAudio: boolean;
  outputDir: string;
}

/**
 * The playable-early preview: the smallest rung only, x264 ultrafast, the audio muxed in (a viewer
 * of the preview needs sound before the audio rendition of the full ladder exists), 2 s segments on
 * the same keyframe grid, as an HLS EVENT playlist that ffmpeg extends segment by segment — it is
 * published while it grows (encode-preview.ts). Same input hardening as the ladder: the probed
 * demuxer forced, only file and pipe protocols.
 */
export function buildPreviewArgs(job: PreviewJob): string[] {
  const { rendition: r } = job;
  // prettier-ignore
  return [
    '-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error',
    '-progress', 'pipe:1',
    '-protocol_whitelist', 'file,pipe',
    '-f', job.demuxer,
    '-i', `file:${resolve(job.inputPath)}`,
    '-map', '0:v:0', ...(job.hasAudio ? ['-map', '0:a:0'] : []),
    '-vf', `scale=${r.width}:${r.height},setsar=1,format=yuv420p`,
    '-c:v', 'libx264', '-preset', PREVIEW_PRESET,
    '-crf', String(LADDER_CRF), '-maxrate', String(Math.round(r.videoBitrate * 1.1)), '-bufsize', String(r.videoBitrate * 2),
    '-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
    ...(job.hasAudio ? ['-c:a', 'aac', '-b:a', String(PREVIEW_AUDIO_BITRATE), '-ac', String(AUDIO_CHANNELS)] : []),
    '-f', 'hls',
    '-hls_time', String(SEGMENT_SECONDS),
    '-hls_playlist_type', 'event',
    '-hls_segment_type', 'fmp4',
    '-hls_segment_filename', join(job.outputDir, 'seg_%05d.m4s'),
    join(job.outputDir, VARIANT_PLAYLIST_FILE),
  ];
}
