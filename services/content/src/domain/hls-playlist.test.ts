import {
  isSafeHlsPath,
  playlistReferences,
  resolveHlsUri,
  rewritePlaylist,
  UnsafePlaylistError,
} from './hls-playlist';

const master = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-STREAM-INF:BANDWIDTH=896000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"',
  '360p/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=1528000,RESOLUTION=960x540,CODECS="avc1.64001f,mp4a.40.2"',
  '540p/index.m3u8',
  '',
].join('\n');

const variant = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-TARGETDURATION:2',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXT-X-MAP:URI="init.mp4"',
  '#EXTINF:2.000000,',
  'seg_000.m4s',
  '# a comment stays as it is',
  '#EXTINF:2.000000,',
  'seg_001.m4s',
  '#EXT-X-ENDLIST',
].join('\n');

describe('playlistReferences', () => {
  it('lists the variants of a master playlist', () => {
    expect(playlistReferences(master, 'master.m3u8')).toEqual(['360p/index.m3u8', '540p/index.m3u8']);
  });

  it('lists the init segment and the media segments of a variant, relative to the output folder', () => {
    expect(playlistReferences(variant, '360p/index.m3u8')).toEqual([
      '360p/init.mp4',
      '360p/seg_000.m4s',
      '360p/seg_001.m4s',
    ]);
  });

  it('accepts CRLF line ends', () => {
    expect(playlistReferences(variant.replace(/\n/g, '\r\n'), 'v.m3u8')).toEqual([
      'init.mp4',
      'seg_000.m4s',
      'seg_001.m4s',
    ]);
  });

  it('refuses a file that is not a playlist', () => {
    expect(() => playlistReferences('hello\nworld', 'master.m3u8')).toThrow(UnsafePlaylistError);
  });

  it.each([
    ['file:///etc/passwd'],
    ['http://attacker.example/seg.m4s'],
    ['/etc/passwd'],
    ['../../other-video/seg.m4s'],
    ['seg.m4s?x=1'],
    ['.hidden'],
    ['a\\b'],
  ])('refuses a playlist naming %s', (uri) => {
    expect(() => playlistReferences(`#EXTM3U\n#EXTINF:2,\n${uri}\n`, '360p/index.m3u8')).toThrow(
      UnsafePlaylistError,
    );
  });

  it('refuses a tag attribute naming a file outside the folder', () => {
    expect(() => playlistReferences('#EXTM3U\n#EXT-X-MAP:URI="file:///etc/passwd"\n', 'v.m3u8')).toThrow(
      UnsafePlaylistError,
    );
  });

  it('allows a reference to a sibling folder that stays inside the output folder', () => {
    expect(playlistReferences('#EXTM3U\n#EXTINF:2,\n../shared/seg.m4s\n', '360p/index.m3u8')).toEqual([
      'shared/seg.m4s',
    ]);
  });
});

describe('rewritePlaylist', () => {
  const urlFor = (path: string) => `/api/v1/content/v1/hls/${path}?token=T`;

  it('points every URI line and URI attribute back at the service, and keeps everything else', () => {
    const rewritten = rewritePlaylist(variant, '360p/index.m3u8', urlFor);
    expect(rewritten.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MAP:URI="/api/v1/content/v1/hls/360p/init.mp4?token=T"',
      '#EXTINF:2.000000,',
      '/api/v1/content/v1/hls/360p/seg_000.m4s?token=T',
      '# a comment stays as it is',
      '#EXTINF:2.000000,',
      '/api/v1/content/v1/hls/360p/seg_001.m4s?token=T',
      '#EXT-X-ENDLIST',
    ]);
  });

  it('keeps the master playlist attributes (BANDWIDTH, RESOLUTION, CODECS) untouched', () => {
    const rewritten = rewritePlaylist(master, 'master.m3u8', urlFor);
    expect(rewritten).toContain(
      '#EXT-X-STREAM-INF:BANDWIDTH=896000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"',
    );
    expect(rewritten).toContain('/api/v1/content/v1/hls/540p/index.m3u8?token=T');
  });
});

describe('isSafeHlsPath / resolveHlsUri', () => {
  it.each(['master.m3u8', '720p/seg_001.m4s', 'poster.jpg'])('accepts %s', (path) => {
    expect(isSafeHlsPath(path)).toBe(true);
  });

  it.each(['', '..', '../x', 'a/../../x', '.env', 'a//b', '/abs', 'a/b/c/d/e', 'seg%2F..', 'a b'])(
    'refuses %j',
    (path) => {
      expect(isSafeHlsPath(path)).toBe(false);
    },
  );

  it('resolves against the playlist folder', () => {
    expect(resolveHlsUri('720p/index.m3u8', 'seg_1.m4s')).toBe('720p/seg_1.m4s');
    expect(resolveHlsUri('master.m3u8', './720p/index.m3u8')).toBe('720p/index.m3u8');
  });
});
