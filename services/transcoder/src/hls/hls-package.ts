import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Rendition } from '../domain/rendition-ladder';
import {
  AUDIO_CHANNELS,
  POSTER_FILE,
  VARIANT_PLAYLIST_FILE,
  audioVariantDir,
  variantDir,
} from '../ffmpeg/hls-ladder-args';
import { audioCodecFromInitSegment, videoCodecFromInitSegment } from './codec-string';
import { buildMasterPlaylist } from './master-playlist';
import { measureBandwidth, readVariantPlaylist } from './variant-playlist';

export const MASTER_PLAYLIST_FILE = 'master.m3u8';

export interface PackagedFile {
  localPath: string;
  /** Key below the request's output prefix. */
  relativeKey: string;
  contentType: string;
}

export interface PackagedRendition {
  name: string;
  width: number;
  height: number;
  /** Peak segment bit rate (BANDWIDTH), the audio group's included; AVERAGE-BANDWIDTH beside it. */
  bandwidth: number;
  averageBandwidth: number;
  /** Video codec, plus the audio group's when there is audio. */
  codecs: string;
  /** Relative to the output prefix. */
  playlist: string;
}

export interface HlsPackage {
  renditions: PackagedRendition[];
  /** Upload order: variants and poster first, the master playlist LAST, so a visible master means a complete package. */
  files: PackagedFile[];
  hasPoster: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/mp4',
  mp4: 'video/mp4',
  jpg: 'image/jpeg',
};

/** An ffmpeg run that exited 0 but left a playlist naming a missing file (never seen; checked, not assumed). */
export class IncompleteHlsOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteHlsOutputError';
  }
}

/** The audio rendition's folder in the package (the EXT-X-MEDIA group's playlist is in it). */
export const AUDIO_RENDITION_NAME = 'audio';

/**
 * Turns ffmpeg's output folder into the package to upload: each video variant folder renamed after
 * its rendition (`v0/` → `360p/`) and the audio-only variant (the folder after the video ones) to
 * `audio/`, every file a playlist references checked and sized, BANDWIDTH measured (a variant's
 * includes the audio group's, which plays beside it) and CODECS read from the init segments, and the
 * master playlist written.
 */
export async function packageHlsOutput(
  outputDir: string,
  renditions: Rendition[],
  hasAudio: boolean,
): Promise<HlsPackage> {
  const files: PackagedFile[] = [];
  const packaged: PackagedRendition[] = [];

  const audio = hasAudio
    ? await packageMediaPlaylist(join(outputDir, audioVariantDir(renditions.length)), AUDIO_RENDITION_NAME)
    : null;
  const audioCodec = audio ? audioCodecFromInitSegment(audio.init) : null;
  if (audio) files.push(...audio.files);

  for (const [index, rendition] of renditions.entries()) {
    const video = await packageMediaPlaylist(join(outputDir, variantDir(index)), rendition.name);
    files.push(...video.files);
    const videoCodec = videoCodecFromInitSegment(video.init);
    packaged.push({
      name: rendition.name,
      width: rendition.width,
      height: rendition.height,
      bandwidth: video.bandwidth.peak + (audio?.bandwidth.peak ?? 0),
      averageBandwidth: video.bandwidth.average + (audio?.bandwidth.average ?? 0),
      codecs: audioCodec ? `${videoCodec},${audioCodec}` : videoCodec,
      playlist: `${rendition.name}/${VARIANT_PLAYLIST_FILE}`,
    });
  }

  const hasPoster = await exists(join(outputDir, POSTER_FILE));
  if (hasPoster) files.push(packagedFile(join(outputDir, POSTER_FILE), POSTER_FILE));

  const master = buildMasterPlaylist(
    packaged.map((r) => ({
      uri: r.playlist,
      bandwidth: r.bandwidth,
      averageBandwidth: r.averageBandwidth,
      width: r.width,
      height: r.height,
      codecs: r.codecs,
    })),
    audio ? { uri: `${AUDIO_RENDITION_NAME}/${VARIANT_PLAYLIST_FILE}`, channels: AUDIO_CHANNELS } : undefined,
  );
  await writeFile(join(outputDir, MASTER_PLAYLIST_FILE), master);
  files.push(packagedFile(join(outputDir, MASTER_PLAYLIST_FILE), MASTER_PLAYLIST_FILE));
  return { renditions: packaged, files, hasPoster };
}

/** One media playlist's folder: its files (under `name/`), measured bandwidth and init segment bytes. */
async function packageMediaPlaylist(
  dir: string,
  name: string,
): Promise<{ files: PackagedFile[]; bandwidth: { peak: number; average: number }; init: Buffer }> {
  const entries = readVariantPlaylist(await readFile(join(dir, VARIANT_PLAYLIST_FILE), 'utf8'));
  if (!entries.initSegment || entries.segments.length === 0) {
    throw new IncompleteHlsOutputError(`${name}: playlist without init segment or segments`);
  }
  const sizes = new Map<string, number>();
  for (const uri of [entries.initSegment, ...entries.segments.map((s) => s.uri)]) {
    sizes.set(uri, await sizeOf(join(dir, uri), name));
  }
  return {
    files: [VARIANT_PLAYLIST_FILE, ...sizes.keys()].map((uri) =>
      packagedFile(join(dir, uri), `${name}/${uri}`),
    ),
    bandwidth: measureBandwidth(entries.segments, (uri) => sizes.get(uri)!),
    init: await readFile(join(dir, entries.initSegment)),
  };
}

export function packagedFile(localPath: string, relativeKey: string): PackagedFile {
  const extension = relativeKey.slice(relativeKey.lastIndexOf('.') + 1);
  return { localPath, relativeKey, contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream' };
}

async function sizeOf(path: string, rendition: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    throw new IncompleteHlsOutputError(`${rendition}: ${path} is referenced by its playlist but missing`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
