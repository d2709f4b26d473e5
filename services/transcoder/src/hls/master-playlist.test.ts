import { buildMasterPlaylist } from './master-playlist';

const variants = [
  {
    uri: '360p/index.m3u8',
    bandwidth: 950_000,
    averageBandwidth: 900_000,
    width: 640,
    height: 360,
    codecs: 'avc1.64001e,mp4a.40.2',
  },
  // Simple content can measure below the rung under it; the order stays the ladder's.
  {
    uri: '720p/index.m3u8',
    bandwidth: 910_000,
    averageBandwidth: 850_000,
    width: 1280,
    height: 720,
    codecs: 'avc1.64001f,mp4a.40.2',
  },
];

describe('buildMasterPlaylist', () => {
  it('lists the audio group once and every variant referencing it, with BANDWIDTH, RESOLUTION and CODECS, in ladder order', () => {
    const text = buildMasterPlaylist(variants, { uri: 'audio/index.m3u8', channels: 2 });
    expect(text.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=950000,AVERAGE-BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="audio"',
      '360p/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=910000,AVERAGE-BANDWIDTH=850000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="audio"',
      '720p/index.m3u8',
      '',
    ]);
  });

  it('writes no audio group and no AUDIO attribute for a silent source', () => {
    const text = buildMasterPlaylist([{ ...variants[0]!, codecs: 'avc1.64001e' }]);
    expect(text).not.toContain('EXT-X-MEDIA');
    expect(text).not.toContain('AUDIO=');
    expect(text).toContain('CODECS="avc1.64001e"\n360p/index.m3u8');
  });
});
