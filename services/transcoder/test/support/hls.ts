import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ObjectStorage } from '@moocflix/platform/storage';

export interface FetchedVariant {
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
 * referenced is missing (storage.get throws ObjectNotFoundError).
 */
export async function fetchHlsPackage(storage: ObjectStorage, masterKey: string): Promise<FetchedVariant[]> {
  const master = (await readObject(storage, masterKey)).toString('utf8');
  expectPlaylist(master);
  const lines = master.split('\n').map((l) => l.trim());
  const variants: FetchedVariant[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const playlistKey = resolveUri(masterKey, lines[i + 1]!);
    const playlist = (await readObject(storage, playlistKey)).toString('utf8');
    expectPlaylist(playlist);
    const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
    if (!init) throw new Error(`${playlistKey} has no EXT-X-MAP`);
    const segmentKeys = playlist
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((uri) => resolveUri(playlistKey, uri));
    const initKey = resolveUri(playlistKey, init);
    for (const key of [initKey, ...segmentKeys]) {
      if (!(await storage.head(key))) throw new Error(`${key} is referenced by ${playlistKey} but missing`);
    }
    variants.push({
      attributes: parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length)),
      playlistKey,
      initKey,
      segmentKeys,
    });
  }
  return variants;
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
