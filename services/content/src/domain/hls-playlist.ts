import { posix } from 'node:path';

/**
 * HLS playlists (RFC 8216) as this service hands them out: every URI a stored playlist names is
 * resolved against the playlist's own location and replaced by a URL back to this service, so
 * players fetch variants, init segments and media segments through our authorization.
 *
 * Paths are relative to the transcoder run's output folder ("master.m3u8", "720p/seg_001.m4s").
 * A stored playlist is our own transcoder's output, but it is still checked: only relative
 * references that stay inside the output folder are followed — an absolute URL, a `file:` URI or a
 * `..` that climbs out is refused rather than passed on to a player or looked up in storage.
 */
export class UnsafePlaylistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePlaylistError';
  }
}

/** One path segment: starts with a letter or digit, then letters, digits, '.', '_' or '-'. */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_DEPTH = 4;
// Any tag attribute that names a resource: EXT-X-MAP, EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, EXT-X-KEY, ...
const URI_ATTRIBUTE = /URI="([^"]*)"/g;

/** A path relative to the output folder that we are willing to serve: no `..`, no dot files, no odd characters. */
export function isSafeHlsPath(path: string): boolean {
  const segments = path.split('/');
  return segments.length <= MAX_DEPTH && segments.every((segment) => SAFE_SEGMENT.test(segment));
}

/** Resolves `uri` as written in the playlist at `playlistPath` to a path relative to the output folder. */
export function resolveHlsUri(playlistPath: string, uri: string): string {
  const trimmed = uri.trim();
  if (
    trimmed === '' ||
    /^[A-Za-z][A-Za-z0-9+.-]*:/.test(trimmed) ||
    trimmed.startsWith('/') ||
    /[?#\\]/.test(trimmed)
  ) {
    throw new UnsafePlaylistError(
      `playlist ${playlistPath} names a non-relative URI: ${JSON.stringify(uri)}`,
    );
  }
  const resolved = posix.normalize(posix.join(posix.dirname(playlistPath), trimmed));
  if (!isSafeHlsPath(resolved)) {
    throw new UnsafePlaylistError(
      `playlist ${playlistPath} names a path outside its folder: ${JSON.stringify(uri)}`,
    );
  }
  return resolved;
}

export const isPlaylistPath = (path: string): boolean => path.endsWith('.m3u8');

/** Every file the playlist at `playlistPath` names, as paths relative to the output folder. */
export function playlistReferences(text: string, playlistPath: string): string[] {
  const found: string[] = [];
  mapUris(text, playlistPath, (path) => {
    found.push(path);
    return path;
  });
  return [...new Set(found)];
}

/** The playlist with every URI replaced by `urlFor(resolved path)`. */
export function rewritePlaylist(
  text: string,
  playlistPath: string,
  urlFor: (path: string) => string,
): string {
  return mapUris(text, playlistPath, urlFor);
}

function mapUris(text: string, playlistPath: string, map: (path: string) => string): string {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '#EXTM3U') throw new UnsafePlaylistError(`${playlistPath} is not an HLS playlist`);
  return lines
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (trimmed.startsWith('#EXT')) {
        return line.replace(
          URI_ATTRIBUTE,
          (_attribute, uri: string) => `URI="${map(resolveHlsUri(playlistPath, uri))}"`,
        );
      }
      if (trimmed.startsWith('#')) return line; // a comment
      return map(resolveHlsUri(playlistPath, trimmed));
    })
    .join('\n');
}
