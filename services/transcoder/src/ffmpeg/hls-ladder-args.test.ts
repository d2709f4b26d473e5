import { planLadder } from '../domain/rendition-ladder';
import { buildAudioRenditionArgs, buildHlsLadderArgs, type HlsLadderJob } from './hls-ladder-args';

const job = (overrides: Partial<HlsLadderJob> = {}): HlsLadderJob => ({
  inputPath: '/work/t1/source',
  demuxer: 'mov',
  renditions: planLadder({ width: 1280, height: 720 }),
  hasAudio: true,
  outputDir: '/work/t1/out',
  posterAtSeconds: 1,
  x264Preset: 'veryfast',
  ...overrides,
});

/** The value following `flag` (the first occurrence). */
const valueOf = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
const valuesOf = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));

describe('buildHlsLadderArgs', () => {
  it('reads the input as a local file with the probed demuxer forced and only file/pipe protocols', () => {
    const args = buildHlsLadderArgs(job());
    expect(valueOf(args, '-protocol_whitelist')).toBe('file,pipe');
    expect(args.indexOf('-f')).toBeLessThan(args.indexOf('-i'));
    expect(valueOf(args, '-f')).toBe('mov');
    expect(valueOf(args, '-i')).toBe('file:/work/t1/source');
    expect(args).toContain('-nostdin');
  });

  it('decodes once and splits into one scaler per rendition plus the poster', () => {
    const graph = valueOf(buildHlsLadderArgs(job()), '-filter_complex')!;
    expect(graph.match(/split=/g)).toHaveLength(1);
    expect(graph).toContain('[0:v:0]split=4[s0][s1][s2][sposter]');
    expect(graph).toContain('[s0]scale=640:360');
    expect(graph).toContain('[s1]scale=960:540');
    expect(graph).toContain('[s2]scale=1280:720');
    expect(graph).toMatch(/\[sposter\]select='isnan\(prev_selected_t\)\*gte\(t,1\.000\)',scale=1280:720/);
  });

  it('forces a keyframe every 2 s in every rendition, with no scene-cut keyframes in between', () => {
    const args = buildHlsLadderArgs(job());
    expect(valueOf(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
    expect(valueOf(args, '-sc_threshold')).toBe('0');
    expect(valueOf(args, '-hls_time')).toBe('2');
  });

  it('writes VOD HLS with fMP4 segments, one video-only variant per rendition and the audio once, last', () => {
    const args = buildHlsLadderArgs(job());
    expect(valueOf(args, '-hls_segment_type')).toBe('fmp4');
    expect(valueOf(args, '-hls_playlist_type')).toBe('vod');
    expect(valueOf(args, '-var_stream_map')).toBe('v:0 v:1 v:2 a:0');
    expect(valuesOf(args, '-map')).toEqual(['[v0]', '[v1]', '[v2]', '0:a:0', '[poster]']);
    expect(valuesOf(args, '-c:a')).toEqual(['aac']);
    expect(valueOf(args, '-c:a')).toBe('aac');
  });

  it('encodes every rung at a constant quality, capped at 1.1× its bit rate', () => {
    const args = buildHlsLadderArgs(job());
    expect(valuesOf(args, '-crf:v:0')).toEqual(['23']);
    expect(valueOf(args, '-maxrate:v:2')).toBe('3080000');
    expect(valueOf(args, '-bufsize:v:2')).toBe('5600000');
    // No bit-rate target: its budget would restart in every chunk of a chunked encode.
    expect(args.some((a) => a.startsWith('-b:v'))).toBe(false);
  });

  it('maps no audio for a silent source', () => {
    const args = buildHlsLadderArgs(
      job({ hasAudio: false, renditions: planLadder({ width: 320, height: 240 }) }),
    );
    expect(valueOf(args, '-var_stream_map')).toBe('v:0');
    expect(valuesOf(args, '-map')).toEqual(['[v0]', '[poster]']);
    expect(args).not.toContain('-c:a');
  });

  it('reports progress on stdout and writes the poster as one JPEG', () => {
    const args = buildHlsLadderArgs(job());
    expect(valueOf(args, '-progress')).toBe('pipe:1');
    expect(args.at(-1)).toBe('/work/t1/out/poster.jpg');
    expect(valueOf(args, '-frames:v')).toBe('1');
  });

  it('encodes a chunk: an accurate input seek to its start, its length, no audio, no poster', () => {
    const args = buildHlsLadderArgs(
      job({ hasAudio: false, posterAtSeconds: null, timeRange: { startSeconds: 120, durationSeconds: 60 } }),
    );
    // Input options (before -i): the seek decodes from the keyframe before and drops up to the start.
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(args.indexOf('-t')).toBeLessThan(args.indexOf('-i'));
    expect(valueOf(args, '-ss')).toBe('120.000');
    expect(valueOf(args, '-t')).toBe('60.000');
    expect(valueOf(args, '-filter_complex')).toContain('[0:v:0]split=3[s0][s1][s2];');
    expect(valueOf(args, '-filter_complex')).not.toContain('poster');
    expect(args).not.toContain('-c:a');
    expect(args.some((a) => a.endsWith('poster.jpg'))).toBe(false);
    expect(valueOf(args, '-var_stream_map')).toBe('v:0 v:1 v:2');
  });

  it('lets the last chunk read to the end of the source (no -t)', () => {
    const args = buildHlsLadderArgs(job({ timeRange: { startSeconds: 120, durationSeconds: null } }));
    expect(valueOf(args, '-ss')).toBe('120.000');
    expect(args).not.toContain('-t');
  });
});

describe('buildAudioRenditionArgs', () => {
  it('encodes the whole source audio once as AAC stereo HLS, with no video', () => {
    const args = buildAudioRenditionArgs({ inputPath: '/w/source', demuxer: 'mov', outputDir: '/w/audio' });
    expect(valueOf(args, '-i')).toBe('file:/w/source');
    expect(valueOf(args, '-protocol_whitelist')).toBe('file,pipe');
    expect(valueOf(args, '-map')).toBe('0:a:0');
    expect(args).toContain('-vn');
    expect(valueOf(args, '-c:a')).toBe('aac');
    expect(valueOf(args, '-ac')).toBe('2');
    expect(valueOf(args, '-hls_segment_type')).toBe('fmp4');
    expect(valueOf(args, '-hls_segment_filename')).toBe('/w/audio/seg_%05d.m4s');
    expect(args.at(-1)).toBe('/w/audio/index.m3u8');
    expect(args).not.toContain('-ss');
  });
});
