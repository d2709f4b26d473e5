import type { Readable } from 'node:stream';
import { ObjectNotFoundError, type ObjectStorage } from '@moocflix/platform-storage';

// Our playlists are a few KB; a bigger "playlist" is not one we wrote, and is not read into memory.
const MAX_PLAYLIST_BYTES = 1024 * 1024;

/** Reads a transcoder run's outputs (playlists, segments, poster) from object storage. */
export class HlsOutputStore {
  constructor(private readonly storage: ObjectStorage) {}

  /** The playlist's text, or undefined when it is missing. */
  async readPlaylist(key: string): Promise<string | undefined> {
    let stream: Readable;
    try {
      stream = await this.storage.get(key);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_PLAYLIST_BYTES) {
        stream.destroy();
        throw new Error(`${key} is larger than ${MAX_PLAYLIST_BYTES} bytes: not a playlist we wrote`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async size(key: string): Promise<number | undefined> {
    return (await this.storage.head(key))?.size;
  }

  /** The file's bytes, the whole file or an inclusive byte range of it. */
  open(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return this.storage.get(key, range);
  }
}
