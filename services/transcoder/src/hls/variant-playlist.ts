/** What a variant (media) playlist references, in order. */
export interface VariantPlaylistEntries {
  initSegment: string | null;
  segments: { uri: string; durationSeconds: number }[];
}

/** Reads the URIs of a VOD media playlist as ffmpeg's HLS muxer writes it (EXT-X-MAP + EXTINF). */
export function readVariantPlaylist(text: string): VariantPlaylistEntries {
  let initSegment: string | null = null;
  const segments: VariantPlaylistEntries['segments'] = [];
  let duration: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MAP:')) initSegment = /URI="([^"]+)"/.exec(line)?.[1] ?? null;
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line && !line.startsWith('#')) {
      segments.push({ uri: line, durationSeconds: duration ?? 0 });
      duration = null;
    }
  }
  return { initSegment, segments };
}

/**
 * BANDWIDTH and AVERAGE-BANDWIDTH of a variant, measured on its actual segments (the encoder's
 * target is not a promise: x264 overshoots on busy scenes, and audio and fMP4 boxes come on top).
 */
export function measureBandwidth(
  segments: VariantPlaylistEntries['segments'],
  sizeOf: (uri: string) => number,
): { peak: number; average: number } {
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const segment of segments) {
    const size = sizeOf(segment.uri);
    bytes += size;
    seconds += segment.durationSeconds;
    // A very short last segment would overstate the peak; rate it over at least one second.
    if (segment.durationSeconds > 0) peak = Math.max(peak, (size * 8) / Math.max(segment.durationSeconds, 1));
  }
  const average = seconds > 0 ? (bytes * 8) / seconds : 0;
  return { peak: Math.ceil(Math.max(peak, average)), average: Math.ceil(average) };
}
