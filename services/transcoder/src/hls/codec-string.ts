/**
 * RFC 6381 CODECS values, read from fMP4 init segments. Video and audio are separate renditions
 * (the audio is one EXT-X-MEDIA group), so each init segment holds one track; a variant's CODECS is
 * its video codec plus the audio group's.
 */

/** `avc1.PPCCLL` from the avcC box: profile, constraint flags, level as x264 actually chose them. */
export function videoCodecFromInitSegment(init: Buffer): string {
  // The box type is followed by the AVCDecoderConfigurationRecord: version, profile, constraints, level.
  const avcC = init.indexOf('avcC');
  if (avcC < 0 || avcC + 8 > init.length) throw new Error('init segment has no avcC box');
  const hex = (offset: number) => init[avcC + offset]!.toString(16).padStart(2, '0');
  return `avc1.${hex(5)}${hex(6)}${hex(7)}`;
}

/** `mp4a.40.2`: ffmpeg's native AAC encoder only writes AAC-LC (object type 2). */
export function audioCodecFromInitSegment(init: Buffer): string {
  if (!init.includes('mp4a')) throw new Error('init segment has no mp4a track');
  return 'mp4a.40.2';
}
