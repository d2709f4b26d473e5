export interface MasterPlaylistVariant {
  /** Relative to the master playlist, e.g. `720p/index.m3u8`. */
  uri: string;
  /** Peak segment bit rate in bits/s, audio and container included (RFC 8216 §4.3.4.2). */
  bandwidth: number;
  averageBandwidth: number;
  width: number;
  height: number;
  /** RFC 6381 codec list, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs: string;
}

/**
 * The HLS master playlist, variants in the order given (the ladder's, smallest first: measured
 * bandwidths of simple content do not always grow with the size). Every variant starts each segment
 * on a keyframe forced at the same instants, hence EXT-X-INDEPENDENT-SEGMENTS.
 */
export function buildMasterPlaylist(variants: MasterPlaylistVariant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${v.bandwidth},AVERAGE-BANDWIDTH=${v.averageBandwidth},` +
        `RESOLUTION=${v.width}x${v.height},CODECS="${v.codecs}"`,
      v.uri,
    );
  }
  return lines.join('\n') + '\n';
}
