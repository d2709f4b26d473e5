import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ObjectStorage } from '@moocflix/platform-storage';

export interface FetchedVariant {
  /** EXT-X-STREAM-INF attributes for a video variant, EXT-X-MEDIA attributes for an audio rendition. */
  attributes: Record<string, string>;
  playlistKey: string;
  initKey: string;
  segmentKeys: string[];
}

export async function readObject(storage: ObjectStorage, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await storage.get(key)) as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads an HLS package the way a player does, from storage: the master playlist, then each variant
 * playlist it names, resolving every URI relative to the playlist naming it. Throws when anything
 * referenced is missing (storage.get throws ObjectNotFoundError). The audio renditions
 * (EXT-X-MEDIA:TYPE=AUDIO) are read the same way: fetchHlsAudio.
 */
export async function fetchHlsPackage(storage: ObjectStorage, masterKey: string): Promise<FetchedVariant[]> {
  const lines = await masterLines(storage, masterKey);
  const variants: FetchedVariant[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    variants.push(
      await fetchMediaPlaylist(storage, masterKey, lines[i + 1]!, line.slice('#EXT-X-STREAM-INF:'.length)),
    );
  }
  return variants;
}

/** The master playlist's audio renditions (EXT-X-MEDIA:TYPE=AUDIO), each fetched like a variant. */
export async function fetchHlsAudio(storage: ObjectStorage, masterKey: string): Promise<FetchedVariant[]> {
  const audio: FetchedVariant[] = [];
  for (const line of await masterLines(storage, masterKey)) {
    if (!line.startsWith('#EXT-X-MEDIA:TYPE=AUDIO,')) continue;
    const attributes = line.slice('#EXT-X-MEDIA:'.length);
    const uri = parseAttributes(attributes).URI;
    if (!uri) throw new Error(`${line} has no URI`);
    audio.push(await fetchMediaPlaylist(storage, masterKey, uri, attributes));
  }
  return audio;
}

async function masterLines(storage: ObjectStorage, masterKey: string): Promise<string[]> {
  const master = (await readObject(storage, masterKey)).toString('utf8');
  expectPlaylist(master);
  return master.split('\n').map((l) => l.trim());
}

async function fetchMediaPlaylist(
  storage: ObjectStorage,
  masterKey: string,
  uri: string,
  attributeList: string,
): Promise<FetchedVariant> {
  const playlistKey = resolveUri(masterKey, uri);
  const playlist = (await readObject(storage, playlistKey)).toString('utf8');
  expectPlaylist(playlist);
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
  if (!init) throw new Error(`${playlistKey} has no EXT-X-MAP`);
  const segmentKeys = playlist
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((segment) => resolveUri(playlistKey, segment));
  const initKey = resolveUri(playlistKey, init);
  for (const key of [initKey, ...segmentKeys]) {
    if (!(await storage.head(key))) throw new Error(`${key} is referenced by ${playlistKey} but missing`);
  }
  return { attributes: parseAttributes(attributeList), playlistKey, initKey, segmentKeys };
}

/** Init segment + one media segment, concatenated into a file ffprobe can read. */
export async function downloadPlayableSegment(
  storage: ObjectStorage,
  variant: FetchedVariant,
  index: number,
  dir: string,
): Promise<string> {
  const path = join(dir, `${variant.playlistKey.replace(/\W+/g, '_')}-${index}.mp4`);
  const bytes = Buffer.concat([
    await readObject(storage, variant.initKey),
    await readObject(storage, variant.segmentKeys[index]!),
  ]);
  await writeFile(path, bytes);
  return path;
}

function expectPlaylist(text: string): void {
  if (!text.startsWith('#EXTM3U')) throw new Error(`not a playlist: ${text.slice(0, 40)}`);
}

function resolveUri(base: string, uri: string): string {
  if (/^[a-z]+:/i.test(uri) || uri.startsWith('/') || uri.split('/').includes('..')) {
    throw new Error(`playlist URI ${uri} leaves the package`);
  }
  return `${base.slice(0, base.lastIndexOf('/') + 1)}${uri}`;
}

function parseAttributes(list: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    attributes[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  }
  return attributes;
}
