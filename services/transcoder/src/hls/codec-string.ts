/**
 * The RFC 6381 CODECS value of a variant, read from its fMP4 init segment: `avc1.PPCCLL` from the
 * avcC box (profile, constraint flags, level as x264 actually chose them), plus `mp4a.40.2` when
 * there is an AAC track (ffmpeg's native AAC encoder only writes AAC-LC, object type 2).
 */
export function codecsFromInitSegment(init: Buffer): string {
  // The box type is followed by the AVCDecoderConfigurationRecord: version, profile, constraints, level.
  const avcC = init.indexOf('avcC');
  if (avcC < 0 || avcC + 8 > init.length) throw new Error('init segment has no avcC box');
  const hex = (offset: number) => init[avcC + offset]!.toString(16).padStart(2, '0');
  const video = `avc1.${hex(5)}${hex(6)}${hex(7)}`;
  return init.includes('mp4a') ? `${video},mp4a.40.2` : video;
}
