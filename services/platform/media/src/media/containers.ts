/**
 * The input containers we accept, keyed by the demuxer name ffmpeg is forced to use (`-f`).
 * An allowlist on purpose: the protocol whitelist alone does not stop a playlist
 * (hls, concat, dash) from naming `file:` paths, and image sequences or devices are not uploads.
 * None of these demuxers opens a second resource (mov's external data references are off by default).
 */
const ACCEPTED_DEMUXERS = ['mov', 'matroska', 'avi', 'mpegts', 'flv', 'mpeg', 'asf'] as const;

export type AcceptedContainer = (typeof ACCEPTED_DEMUXERS)[number];

/** Comma-separated, as ffprobe's `-format_whitelist` and ffmpeg's `-f` expect it. */
export const ACCEPTED_DEMUXER_LIST = ACCEPTED_DEMUXERS.join(',');

/**
 * Maps ffprobe's `format.format_name` (e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`) to the
 * demuxer to force, or null when the format is refused (hls/applehttp, concat, image2 and image
 * pipes, tty, lavfi, anything not on the allowlist).
 */
export function classifyContainer(formatName: string): AcceptedContainer | null {
  const names = formatName.split(',').map((name) => name.trim());
  // A demuxer serving several names reports them all; its own name comes first (`matroska,webm`).
  const demuxer = names[0];
  return ACCEPTED_DEMUXERS.find((accepted) => accepted === demuxer) ?? null;
}
