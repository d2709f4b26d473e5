import { measureBandwidth, readVariantPlaylist } from './variant-playlist';

const PLAYLIST = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-TARGETDURATION:2',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXT-X-MAP:URI="init_0.mp4"',
  '#EXTINF:2.000000,',
  'seg_00000.m4s',
  '#EXTINF:2.000000,',
  'seg_00001.m4s',
  '#EXTINF:0.500000,',
  'seg_00002.m4s',
  '#EXT-X-ENDLIST',
  '',
].join('\n');

describe('readVariantPlaylist', () => {
  it('returns the init segment and the segments with their durations, in order', () => {
    expect(readVariantPlaylist(PLAYLIST)).toEqual({
      initSegment: 'init_0.mp4',
      segments: [
        { uri: 'seg_00000.m4s', durationSeconds: 2 },
        { uri: 'seg_00001.m4s', durationSeconds: 2 },
        { uri: 'seg_00002.m4s', durationSeconds: 0.5 },
      ],
    });
  });

  it('finds no init segment in an MPEG-TS playlist', () => {
    expect(readVariantPlaylist('#EXTM3U\n#EXTINF:2,\na.ts\n').initSegment).toBeNull();
  });
});

describe('measureBandwidth', () => {
  const { segments } = readVariantPlaylist(PLAYLIST);
  const sizes: Record<string, number> = {
    'seg_00000.m4s': 200_000,
    'seg_00001.m4s': 300_000,
    'seg_00002.m4s': 100_000,
  };

  it('takes the peak segment bit rate and the average over the whole playlist', () => {
    const { peak, average } = measureBandwidth(segments, (uri) => sizes[uri]!);
    expect(peak).toBe(1_200_000); // 300 kB over 2 s
    expect(average).toBe(Math.ceil((600_000 * 8) / 4.5));
  });

  it('does not let a very short last segment inflate the peak', () => {
    const { peak } = measureBandwidth(segments, (uri) => (uri === 'seg_00002.m4s' ? 250_000 : 100_000));
    // 250 kB in 0.5 s would be 4 Mbit/s; rated over at least 1 s it is 2 Mbit/s.
    expect(peak).toBe(2_000_000);
  });
});
