import type { Chunk } from '@moocflix/platform-core/transcoding';
import { planLadder } from '../domain/rendition-ladder';
import { encodeChunk, encodedRangeOf, MARGIN_SECONDS, type FfmpegRunner } from './encode-chunked';

const SOURCE_SECONDS = 18;
const input = {
  inputPath: '/in/source.mp4',
  demuxer: 'mov',
  renditions: planLadder({ width: 640, height: 360 }),
  hasAudio: true,
  posterAtSeconds: 1,
  x264Preset: 'veryfast',
  sourceSeconds: SOURCE_SECONDS,
};
const chunks: Chunk[] = [
  { index: 0, startSeconds: 0, durationSeconds: 6 },
  { index: 1, startSeconds: 6, durationSeconds: 6 },
  { index: 2, startSeconds: 12, durationSeconds: null },
];

/** ffmpeg as far as progress goes: out_time every half second over the whole encoded range, margins included. */
const reportingRunner =
  (chunk: Chunk): FfmpegRunner =>
  async (_args, onProgress) => {
    const { durationSeconds } = encodedRangeOf(chunk);
    const end = durationSeconds ?? SOURCE_SECONDS - encodedRangeOf(chunk).startSeconds;
    for (let t = 0; t <= end; t += 0.5) onProgress(t);
  };

async function reportedBy(chunk: Chunk): Promise<number[]> {
  const reported: number[] = [];
  await encodeChunk(input, chunk, '/out', reportingRunner(chunk), (seconds) => reported.push(seconds));
  return reported;
}

describe('encodeChunk progress', () => {
  test.each(chunks)(
    'chunk $index reports seconds of its own range only: from 0, up to its length',
    async (chunk) => {
      const reported = await reportedBy(chunk);
      const length = chunk.durationSeconds ?? SOURCE_SECONDS - chunk.startSeconds;
      expect(Math.min(...reported)).toBe(0);
      expect(Math.max(...reported)).toBe(length);
    },
  );

  test('the lead-in is not counted: a middle chunk reports 0 until ffmpeg is past its margin', async () => {
    const reported = await reportedBy(chunks[1]!);
    // ffmpeg's first 2 s are the margin before the chunk: 5 reports (0, 0.5 … 2) all read 0.
    expect(reported.slice(0, 2 * MARGIN_SECONDS + 1)).toEqual(Array(2 * MARGIN_SECONDS + 1).fill(0));
    expect(reported[2 * MARGIN_SECONDS + 1]).toBe(0.5);
  });

  test('chunk after chunk, start + seconds done never goes back (it did at every join, by the lead-out)', async () => {
    const overall: number[] = [];
    for (const chunk of chunks) {
      for (const seconds of await reportedBy(chunk)) overall.push(chunk.startSeconds + seconds);
    }
    expect(overall.every((t, k) => k === 0 || t >= overall[k - 1]!)).toBe(true);
    expect(overall.at(-1)).toBe(SOURCE_SECONDS);
  });
});
