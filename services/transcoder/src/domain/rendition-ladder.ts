/** One HLS variant: a size and the video bit rate it is encoded at. */
export interface Rendition {
  /** `<short side>p`, e.g. `720p` (also for portrait sources, whose short side is the width). */
  name: string;
  width: number;
  height: number;
  /** Target video bit rate in bits/s (audio comes on top). */
  videoBitrate: number;
}

/** The standard rungs, by the frame's short side. */
const RUNGS = [
  { shortSide: 360, videoBitrate: 800_000 },
  { shortSide: 540, videoBitrate: 1_400_000 },
  { shortSide: 720, videoBitrate: 2_800_000 },
  { shortSide: 1080, videoBitrate: 5_000_000 },
] as const;

const LOWEST = RUNGS[0];
const MIN_VIDEO_BITRATE = 150_000;
// A source this much taller than the best rung below it keeps its own size as the top rung (a
// 480p source is not served at 360p at best), instead of a near-duplicate of that rung.
const OWN_SIZE_MARGIN = 1.2;

/**
 * The ladder for a source of the given display size: every rung up to the source's short side —
 * never upscaling —, the source's own size on top when it falls well between rungs, and for a
 * source below the lowest rung one rendition at its own size. Sizes are even (H.264 4:2:0 needs it)
 * and keep the source's aspect ratio, portrait included.
 */
export function planLadder(source: { width: number; height: number }): Rendition[] {
  const portrait = source.height > source.width;
  const sourceShort = evenAtMost(Math.min(source.width, source.height));
  const sourceLong = Math.max(source.width, source.height);

  const fitting = RUNGS.filter((rung) => rung.shortSide <= sourceShort);
  const shortSides: { shortSide: number; videoBitrate: number }[] = [...fitting];
  const top = fitting.at(-1);
  if (!top) {
    shortSides.push({ shortSide: sourceShort, videoBitrate: bitrateBelowLowest(sourceShort) });
  } else if (sourceShort >= top.shortSide * OWN_SIZE_MARGIN && top !== RUNGS.at(-1)) {
    shortSides.push({ shortSide: sourceShort, videoBitrate: bitrateBetweenRungs(sourceShort) });
  }

  return shortSides.map(({ shortSide, videoBitrate }) => {
    const long = Math.min(
      evenNearest((shortSide * sourceLong) / Math.min(source.width, source.height)),
      evenAtMost(sourceLong),
    );
    return {
      name: `${shortSide}p`,
      width: portrait ? shortSide : long,
      height: portrait ? long : shortSide,
      videoBitrate,
    };
  });
}

/** Below the lowest rung the bit rate follows the pixel count. */
function bitrateBelowLowest(shortSide: number): number {
  const scaled = LOWEST.videoBitrate * (shortSide / LOWEST.shortSide) ** 2;
  return Math.max(MIN_VIDEO_BITRATE, roundToKbps(scaled));
}

/** Between two rungs the bit rate is interpolated linearly on the short side. */
function bitrateBetweenRungs(shortSide: number): number {
  const upper = RUNGS.findIndex((rung) => rung.shortSide > shortSide);
  const high = RUNGS[upper]!;
  const low = RUNGS[upper - 1]!;
  const t = (shortSide - low.shortSide) / (high.shortSide - low.shortSide);
  return roundToKbps(low.videoBitrate + t * (high.videoBitrate - low.videoBitrate));
}

function roundToKbps(bitsPerSecond: number): number {
  return Math.round(bitsPerSecond / 1000) * 1000;
}

function evenAtMost(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}

function evenNearest(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}
