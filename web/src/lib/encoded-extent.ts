/**
 * How far a growing preview is encoded, for the player: a video that is `playable` is served from
 * a preview the transcoder is still writing, an HLS EVENT playlist that lists each segment once it
 * is encoded and ends with EXT-X-ENDLIST when the encode does. The extent is the sum of the listed
 * segments' durations, against the video's duration (from the upload's probe). Pure, so it is unit
 * tested without a browser; followEncodedExtent feeds it hls.js's playlist updates. One module
 * with no relative imports, so the browser tier's page bundles it as the player does.
 */
import type Hls from 'hls.js';
import type { Events } from 'hls.js';

/** The part of a media playlist this needs (hls.js's LevelDetails has these fields). */
export interface PlaylistDetails {
  fragments: readonly { duration: number }[];
  /** No EXT-X-ENDLIST yet: more segments will be listed. */
  live: boolean;
}

export interface EncodedExtent {
  encodedSeconds: number;
  /** The video's duration, when known. */
  totalSeconds: number | null;
  /** The playlist is closed: everything there is to play is listed. */
  complete: boolean;
}

export function encodedExtentOf(
  details: PlaylistDetails,
  durationSeconds: number | null | undefined,
): EncodedExtent {
  const listed = details.fragments.reduce(
    (sum, f) => sum + (Number.isFinite(f.duration) && f.duration > 0 ? f.duration : 0),
    0,
  );
  const total =
    durationSeconds != null && Number.isFinite(durationSeconds) && durationSeconds > 0
      ? durationSeconds
      : null;
  // Segment durations are rounded by the encoder: never claim more than the whole video.
  const encodedSeconds = total === null ? listed : Math.min(listed, total);
  return { encodedSeconds, totalSeconds: total, complete: !details.live };
}

/** What the player says about it: null once the playlist is closed (nothing left to say). */
export function describeEncodedExtent(extent: EncodedExtent | null): string | null {
  if (!extent || extent.complete) return null;
  const upTo = formatClock(extent.encodedSeconds);
  return extent.totalSeconds === null
    ? `Encoded up to ${upTo} so far`
    : `Encoded up to ${upTo} of ${formatClock(extent.totalSeconds)}`;
}

/** 200 → "3:20", 3725 → "1:02:05": whole seconds, rounded down (never ahead of what is encoded). */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * Calls `onChange` with the encoded extent each time hls.js (re)loads the playing rendition's
 * playlist: hls.js reloads a live (EVENT, not yet ENDLIST) playlist about every target duration and
 * fires LEVEL_UPDATED with its details, so the extent grows as the preview does; the last call has
 * `complete` once the playlist is closed. Returns the unsubscribe. The Events enum is passed in so
 * this module does not pull hls.js into the bundle that imports it (the player loads it lazily).
 */
export function followEncodedExtent(
  hls: Pick<Hls, 'on' | 'off'>,
  events: { LEVEL_UPDATED: Events.LEVEL_UPDATED },
  durationSeconds: number | null,
  onChange: (extent: EncodedExtent) => void,
): () => void {
  const listener = (
    _event: Events.LEVEL_UPDATED,
    data: { details: { fragments: { duration: number }[]; live: boolean } },
  ) => onChange(encodedExtentOf(data.details, durationSeconds));
  hls.on(events.LEVEL_UPDATED, listener);
  return () => hls.off(events.LEVEL_UPDATED, listener);
}
