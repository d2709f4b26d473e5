import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentUnderTest } from './content-under-test';

export interface PlayedVariant {
  /** The EXT-X-STREAM-INF attributes (BANDWIDTH, RESOLUTION, CODECS, AUDIO, ...), or EXT-X-MEDIA's for an audio rendition. */
  attributes: Record<string, string>;
  playlistUrl: string;
  initUrl: string;
  segmentUrls: string[];
  /** Sum of the segments' EXTINF durations. */
  durationSeconds: number;
  /** Init segment + every media segment, as fetched through the service: a file ffprobe can read. */
  file: string;
}

/**
 * Plays a served master playlist the way an HLS player does: fetches every variant playlist it
 * names and every init and media segment those name, through the URLs the service wrote (no
 * bearer token), failing on any status but 200. playAudioRenditions does the same for the
 * EXT-X-MEDIA audio renditions.
 */
export async function playEveryVariant(
  app: ContentUnderTest,
  master: string,
  dir: string,
): Promise<PlayedVariant[]> {
  const lines = master.split('\n').map((line) => line.trim());
  const variants: PlayedVariant[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const attributes = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    variants.push(await playMediaPlaylist(app, lines[i + 1]!, attributes, dir));
  }
  return variants;
}

/** Every EXT-X-MEDIA:TYPE=AUDIO rendition of a served master playlist, played like a variant. */
export async function playAudioRenditions(
  app: ContentUnderTest,
  master: string,
  dir: string,
): Promise<PlayedVariant[]> {
  const played: PlayedVariant[] = [];
  for (const line of master.split('\n').map((l) => l.trim())) {
    if (!line.startsWith('#EXT-X-MEDIA:TYPE=AUDIO,')) continue;
    const attributes = parseAttributes(line.slice('#EXT-X-MEDIA:'.length));
    if (!attributes.URI) throw new Error(`${line} has no URI`);
    played.push(await playMediaPlaylist(app, attributes.URI, attributes, dir));
  }
  return played;
}

let fileCount = 0;

async function playMediaPlaylist(
  app: ContentUnderTest,
  playlistUrl: string,
  attributes: Record<string, string>,
  dir: string,
): Promise<PlayedVariant> {
  const playlist = (await fetchOk(app, playlistUrl)).toString('utf8');
  if (!playlist.startsWith('#EXTM3U')) throw new Error(`${playlistUrl} is not a playlist`);
  const initUrl = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
  if (!initUrl) throw new Error(`${playlistUrl} has no EXT-X-MAP`);
  const segmentUrls = playlist.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const durationSeconds = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  const bytes = [await fetchOk(app, initUrl)];
  for (const url of segmentUrls) bytes.push(await fetchOk(app, url));
  const file = join(dir, `rendition-${fileCount++}-${Date.now()}.mp4`);
  await writeFile(file, Buffer.concat(bytes));
  return { attributes, playlistUrl, initUrl, segmentUrls, durationSeconds, file };
}

async function fetchOk(app: ContentUnderTest, url: string): Promise<Buffer> {
  const response = await app.fetchUrl(url);
  if (response.status !== 200)
    throw new Error(
      `GET ${url} answered ${response.status}: ${response.bytes.toString('utf8').slice(0, 300)}`,
    );
  return response.bytes;
}

/** `BANDWIDTH=1,RESOLUTION=2x3,CODECS="a,b"` → {BANDWIDTH: '1', RESOLUTION: '2x3', CODECS: 'a,b'}. */
export function parseAttributes(list: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    attributes[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  }
  return attributes;
}
