import { classifyContainer } from './containers';

describe('classifyContainer', () => {
  it.each([
    ['mov,mp4,m4a,3gp,3g2,mj2', 'mov'],
    ['matroska,webm', 'matroska'],
    ['avi', 'avi'],
    ['mpegts', 'mpegts'],
    ['flv', 'flv'],
  ])('accepts %s as the %s demuxer', (formatName, demuxer) => {
    expect(classifyContainer(formatName)).toBe(demuxer);
  });

  it.each([
    'hls',
    'applehttp',
    'concat',
    'image2',
    'png_pipe',
    'jpeg_pipe',
    'tty',
    'lavfi',
    'dash',
    'wav',
    'mp3',
    '',
  ])('refuses %s', (formatName) => {
    expect(classifyContainer(formatName)).toBeNull();
  });

  it('judges the demuxer name, not an alias it also lists', () => {
    expect(classifyContainer('webm')).toBeNull();
    expect(classifyContainer('hls,mov')).toBeNull();
  });
});
