export interface MasterPlaylistVariant {
  /** Relative to the master playlist, e.g. `720p/index.m3u8`. */
  uri: string;
  /**
   * Peak segment bit rate in bits/s, container and the audio group included (RFC 8216 §4.3.4.2:
   * BANDWIDTH covers the variant together with the renditions it references).
   */
  bandwidth: number;
  averageBandwidth: number;
  width: number;
  height: number;
  /** RFC 6381 codec list of everything a player decodes for this variant, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs: string;
}

/** The one audio rendition, offered as an EXT-X-MEDIA group every video variant references. */
export interface MasterPlaylistAudio {
  /** Relative to the master playlist, e.g. `audio/index.m3u8`. */
  uri: string;
  channels: number;
}

export const AUDIO_GROUP_ID = 'audio';

/**
 * The HLS master playlist, variants in the order given (the ladder's, smallest first: measured
 * bandwidths of simple content do not always grow with the size). Every variant starts each segment
 * on a keyframe forced at the same instants, hence EXT-X-INDEPENDENT-SEGMENTS. With audio, the
 * variants are video only and each names the single audio group (AUDIO=...), so a player switching
 * renditions keeps the same audio track and the audio is stored once.
 */
export function buildMasterPlaylist(variants: MasterPlaylistVariant[], audio?: MasterPlaylistAudio): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${AUDIO_GROUP_ID}",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,` +
        `CHANNELS="${audio.channels}",URI="${audio.uri}"`,
    );
  }
  for (const v of variants) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${v.bandwidth},AVERAGE-BANDWIDTH=${v.averageBandwidth},` +
        `RESOLUTION=${v.width}x${v.height},CODECS="${v.codecs}"` +
        (audio ? `,AUDIO="${AUDIO_GROUP_ID}"` : ''),
      v.uri,
    );
  }
  return lines.join('\n') + '\n';
}
