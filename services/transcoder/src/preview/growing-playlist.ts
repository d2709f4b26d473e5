/** What can be published of an EVENT playlist ffmpeg is still writing. */
export interface GrowingPlaylist {
  initSegment: string | null;
  /** Complete entries only, in order. */
  segments: string[];
  ended: boolean;
  /** The playlist as it may be served: the header and the complete entries (and the end tag when ended). */
  text: string;
}

/**
 * Reads an HLS EVENT playlist that ffmpeg may be rewriting at this very moment (it writes the file
 * in place, not atomically): only whole lines count, and a segment only once its URI line is
 * complete — ffmpeg lists a segment after closing its file, so a listed segment is whole.
 */
export function readGrowingPlaylist(raw: string): GrowingPlaylist {
  const complete = raw.slice(0, raw.lastIndexOf('\n') + 1);
  const lines = complete.split('\n').map((l) => l.trim());
  const header: string[] = [];
  const entries: string[] = [];
  const segments: string[] = [];
  let initSegment: string | null = null;
  let ended = false;
  let pendingInf: string | null = null;
  for (const line of lines) {
    if (!line) continue;
    if (line.startsWith('#EXTINF:')) pendingInf = line;
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (!line.startsWith('#')) {
      if (pendingInf) entries.push(pendingInf, line);
      segments.push(line);
      pendingInf = null;
    } else {
      if (line.startsWith('#EXT-X-MAP:')) initSegment = /URI="([^"]+)"/.exec(line)?.[1] ?? null;
      if (entries.length === 0) header.push(line);
    }
  }
  if (!header.includes('#EXTM3U')) return { initSegment: null, segments: [], ended: false, text: '' };
  const text = [...header, ...entries, ...(ended ? ['#EXT-X-ENDLIST'] : [])].join('\n') + '\n';
  return { initSegment, segments, ended, text };
}
