import { audioCodecFromInitSegment, videoCodecFromInitSegment } from './codec-string';

/** A minimal box: 4-byte size, 4-byte type, payload. */
const box = (type: string, payload: Buffer) => {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
};

// version 1, High profile (0x64), no constraint flags, level 3.1 (0x1f), then the rest of the record.
const avcC = box('avcC', Buffer.from([0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1]));

describe('videoCodecFromInitSegment', () => {
  it('reads profile, constraints and level from the avcC box', () => {
    expect(videoCodecFromInitSegment(box('moov', box('avc1', avcC)))).toBe('avc1.64001f');
  });

  it('refuses an init segment without an avcC box', () => {
    expect(() => videoCodecFromInitSegment(box('moov', box('hvc1', Buffer.alloc(8))))).toThrow(/avcC/);
    expect(() => videoCodecFromInitSegment(box('moov', box('mp4a', Buffer.alloc(4))))).toThrow(/avcC/);
  });
});

describe('audioCodecFromInitSegment', () => {
  it('names AAC-LC when the init segment has an mp4a track', () => {
    expect(audioCodecFromInitSegment(box('moov', box('mp4a', Buffer.alloc(4))))).toBe('mp4a.40.2');
  });

  it('refuses an init segment without an mp4a track', () => {
    expect(() => audioCodecFromInitSegment(box('moov', box('avc1', avcC)))).toThrow(/mp4a/);
  });
});
