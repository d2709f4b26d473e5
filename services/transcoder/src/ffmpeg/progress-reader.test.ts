import { ProgressReader } from './progress-reader';

function read(...chunks: string[]): number[] {
  const seen: number[] = [];
  const reader = new ProgressReader((s) => seen.push(s));
  for (const chunk of chunks) reader.push(chunk);
  return seen;
}

describe('ProgressReader', () => {
  it('reports out_time_us once per block', () => {
    expect(
      read(
        'frame=10\nout_time_us=1500000\nout_time_ms=1500000\nprogress=continue\nout_time_us=4000000\nprogress=end\n',
      ),
    ).toEqual([1.5, 4]);
  });

  it('reads out_time_ms as microseconds, as older ffmpeg builds write it', () => {
    expect(read('out_time_ms=2500000\nprogress=continue\n')).toEqual([2.5]);
  });

  it('falls back to the out_time clock', () => {
    expect(read('out_time=01:02:03.500000\nprogress=continue\n')).toEqual([3723.5]);
  });

  it('reassembles lines split across chunks', () => {
    expect(read('out_ti', 'me_us=12', '00000\nprog', 'ress=continue\n')).toEqual([1.2]);
  });

  it('ignores blocks without a usable time (N/A before the first frame) and junk lines', () => {
    expect(
      read(
        'out_time_us=N/A\nout_time=N/A\nprogress=continue\nnot a pair\n=x\nout_time_us=1000000\nprogress=continue\n',
      ),
    ).toEqual([1]);
  });

  it('does not carry one block’s time into the next', () => {
    expect(read('out_time_us=1000000\nprogress=continue\nframe=2\nprogress=continue\n')).toEqual([1]);
  });
});
