import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ObjectStorage } from '@moocflix/platform-storage';
import type { FfmpegRunner } from '../chunks/encode-chunked';
import { VARIANT_PLAYLIST_FILE } from '../ffmpeg/hls-ladder-args';
import { audioCodecFromInitSegment, videoCodecFromInitSegment } from '../hls/codec-string';
import { buildMasterPlaylist } from '../hls/master-playlist';
import { readGrowingPlaylist } from './growing-playlist';
import { buildPreviewArgs, PREVIEW_AUDIO_BITRATE, type PreviewJob } from './preview-args';

/** What a player needs to start on the preview: its own master playlist and its one rendition. */
export interface PlayablePreview {
  masterPlaylistKey: string;
  renditions: {
    name: string;
    width: number;
    height: number;
    bandwidth: number;
    codecs: string;
    playlistKey: string;
  }[];
}

/**
 * Folder of the preview's rendition, and its master playlist, under the request's output prefix.
 * Content deletes both once the run's ladder is ready (its previewKeysOf in domain/video-keys.ts):
 * only content knows when players stop being handed the preview, so the transcoder leaves them.
 */
export const PREVIEW_FOLDER = 'preview';
export const PREVIEW_MASTER_FILE = 'preview.m3u8';
const MPEGURL = 'application/vnd.apple.mpegurl';
const POLL_MS = 250;

export interface EncodePreviewOptions {
  storage: ObjectStorage;
  /** The request's output prefix. */
  prefix: string;
  run: FfmpegRunner;
  /** Called once, when the first segment and the preview's master playlist are in storage. */
  onPlayable: (preview: PlayablePreview) => void;
  onProgress?: (outTimeSeconds: number) => void;
}

/**
 * Encodes the preview (preview-args.ts) and publishes it WHILE it grows: every segment as soon as
 * ffmpeg lists it, then the playlist naming it, so storage never names a segment it lacks; after
 * the first segment the preview's master playlist, and `onPlayable`. At ultrafast the preview runs
 * several times faster than real time, so a viewer starting at the beginning never catches up
 * with it; the playlist is an EVENT one, closed with EXT-X-ENDLIST when the encode ends.
 */
export async function encodePreview(
  job: PreviewJob,
  options: EncodePreviewOptions,
): Promise<PlayablePreview | null> {
  const publisher = new PreviewPublisher(job, options);
  const encoding = options.run(buildPreviewArgs(job), options.onProgress ?? (() => undefined));
  let settled = false;
  const done = encoding.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    await Promise.race([sleep(POLL_MS), done]);
    if (!settled) await publisher.sync();
  }
  await encoding; // a failed encode fails here, whatever was published of it
  await publisher.sync();
  return publisher.announced;
}

class PreviewPublisher {
  private initUploaded = false;
  private uploadedSegments = 0;
  private publishedText = '';
  announced: PlayablePreview | null = null;

  constructor(
    private readonly job: PreviewJob,
    private readonly options: EncodePreviewOptions,
  ) {}

  private key(name: string): string {
    return `${this.options.prefix}/${PREVIEW_FOLDER}/${name}`;
  }

  async sync(): Promise<void> {
    const raw = await readFile(join(this.job.outputDir, VARIANT_PLAYLIST_FILE), 'utf8').catch(() => '');
    const playlist = readGrowingPlaylist(raw);
    if (!playlist.initSegment || playlist.segments.length === 0) return;
    const { storage } = this.options;
    let init: Buffer | null = null;
    if (!this.initUploaded) {
      init = await readFile(join(this.job.outputDir, playlist.initSegment));
      await storage.put(this.key(playlist.initSegment), init, { contentType: 'video/mp4' });
      this.initUploaded = true;
    }
    for (const segment of playlist.segments.slice(this.uploadedSegments)) {
      await storage.put(this.key(segment), await readFile(join(this.job.outputDir, segment)), {
        contentType: 'video/mp4',
      });
      this.uploadedSegments += 1;
    }
    // The playlist only after every segment it names.
    if (playlist.text !== this.publishedText) {
      await storage.put(this.key(VARIANT_PLAYLIST_FILE), playlist.text, { contentType: MPEGURL });
      this.publishedText = playlist.text;
    }
    if (!this.announced && init) await this.announce(init);
  }

  private async announce(init: Buffer): Promise<void> {
    const { rendition, hasAudio } = this.job;
    const codecs = [
      videoCodecFromInitSegment(init),
      ...(hasAudio ? [audioCodecFromInitSegment(init)] : []),
    ].join(',');
    // Not measured yet (the preview is still growing): the encoder's ceiling plus the audio and
    // a tenth for the container, which a player only uses to pick a variant — there is one.
    const bandwidth = Math.ceil(
      (rendition.videoBitrate * 1.1 + (hasAudio ? PREVIEW_AUDIO_BITRATE : 0)) * 1.1,
    );
    const uri = `${PREVIEW_FOLDER}/${VARIANT_PLAYLIST_FILE}`;
    const master = buildMasterPlaylist([
      {
        uri,
        bandwidth,
        averageBandwidth: bandwidth,
        width: rendition.width,
        height: rendition.height,
        codecs,
      },
    ]);
    const masterPlaylistKey = `${this.options.prefix}/${PREVIEW_MASTER_FILE}`;
    await this.options.storage.put(masterPlaylistKey, master, { contentType: MPEGURL });
    this.announced = {
      masterPlaylistKey,
      renditions: [
        {
          name: rendition.name,
          width: rendition.width,
          height: rendition.height,
          bandwidth,
          codecs,
          playlistKey: `${this.options.prefix}/${uri}`,
        },
      ],
    };
    this.options.onPlayable(this.announced);
  }
}
