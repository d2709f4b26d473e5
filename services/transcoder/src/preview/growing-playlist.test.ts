import { readGrowingPlaylist } from './growing-playlist';

const HEADER =
  '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MAP:URI="init.mp4"\n';

describe('readGrowingPlaylist', () => {
  it('takes the complete entries of a playlist ffmpeg is still writing', () => {
    const raw = `${HEADER}#EXTINF:2.000000,\nseg_00000.m4s\n#EXTINF:2.000000,\nseg_0000`;
    const p = readGrowingPlaylist(raw);
    expect(p).toMatchObject({ initSegment: 'init.mp4', segments: ['seg_00000.m4s'], ended: false });
    expect(p.text).toBe(`${HEADER}#EXTINF:2.000000,\nseg_00000.m4s\n`);
  });

  it('drops an EXTINF whose URI line has not been written yet', () => {
    const p = readGrowingPlaylist(`${HEADER}#EXTINF:2.000000,\nseg_00000.m4s\n#EXTINF:2.000000,\n`);
    expect(p.segments).toEqual(['seg_00000.m4s']);
    expect(p.text.endsWith('seg_00000.m4s\n')).toBe(true);
  });

  it('sees the end, and keeps the end tag', () => {
    const p = readGrowingPlaylist(`${HEADER}#EXTINF:1.500000,\nseg_00000.m4s\n#EXT-X-ENDLIST\n`);
    expect(p.ended).toBe(true);
    expect(p.text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
  });

  it('is nothing before the header is whole', () => {
    expect(readGrowingPlaylist('#EXTM')).toMatchObject({ segments: [], text: '' });
    expect(readGrowingPlaylist('')).toMatchObject({ segments: [], text: '' });
  });
});
