import type { HlsOutputStore } from '../data/hls-output-store';
import { isPlaylistPath, playlistReferences } from './hls-playlist';

/**
 * The files a transcoder run's playlists name: the master, its variant playlists, and their init
 * and media segments. Playback serves only these (plus the poster), so a valid token cannot be
 * used to read any other object under the video's folder, let alone outside it.
 *
 * A run's outputs never change once its completion is recorded (each run writes its own folder),
 * so the set is cached per master playlist: a player's many segment requests cost no storage reads
 * for the check. Bounded: the oldest entry is dropped first.
 */
export class HlsCatalog {
  private readonly cache = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly store: HlsOutputStore,
    private readonly maxEntries = 512,
  ) {}

  /**
   * The servable paths (relative to `prefix`) of the run whose master playlist is `prefix + masterPath`.
   * A `growing` one (a preview still being encoded) is read afresh each time: its set changes.
   */
  files(prefix: string, masterPath: string, { growing = false } = {}): Promise<ReadonlySet<string>> {
    if (growing) return this.load(prefix, masterPath);
    const masterKey = prefix + masterPath;
    let entry = this.cache.get(masterKey);
    if (!entry) {
      entry = this.load(prefix, masterPath);
      // A failed load (storage down) is not remembered: the next request tries again.
      entry.catch(() => this.cache.delete(masterKey));
      this.cache.set(masterKey, entry);
      if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    }
    return entry;
  }

  private async load(prefix: string, masterPath: string): Promise<ReadonlySet<string>> {
    const files = new Set<string>([masterPath]);
    const master = await this.requirePlaylist(prefix, masterPath);
    for (const path of playlistReferences(master, masterPath)) {
      files.add(path);
      if (!isPlaylistPath(path)) continue;
      const variant = await this.requirePlaylist(prefix, path);
      for (const segment of playlistReferences(variant, path)) files.add(segment);
    }
    return files;
  }

  private async requirePlaylist(prefix: string, path: string): Promise<string> {
    const text = await this.store.readPlaylist(prefix + path);
    if (text === undefined) throw new Error(`playlist ${prefix}${path} is missing from storage`);
    return text;
  }
}
