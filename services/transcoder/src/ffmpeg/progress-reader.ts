/**
 * Reads ffmpeg's `-progress` output: blocks of key=value lines, each ended by `progress=continue`
 * or `progress=end`. Reports the media time encoded so far, in seconds, once per block.
 * `out_time_us` is the current key; older builds only write `out_time_ms`, which despite its name
 * also counts microseconds; `out_time` (HH:MM:SS.micro) is the last resort.
 */
export class ProgressReader {
  private pending = '';
  private block = new Map<string, string>();

  constructor(private readonly onProgress: (outTimeSeconds: number) => void) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.readLine(line.trim());
  }

  private readLine(line: string): void {
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key !== 'progress') {
      this.block.set(key, value);
      return;
    }
    const seconds = outTimeSeconds(this.block);
    this.block = new Map();
    if (seconds !== null) this.onProgress(seconds);
  }
}

function outTimeSeconds(block: Map<string, string>): number | null {
  for (const key of ['out_time_us', 'out_time_ms']) {
    const micros = Number(block.get(key));
    if (block.has(key) && Number.isFinite(micros) && micros >= 0) return micros / 1e6;
  }
  const clock = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(block.get('out_time') ?? '');
  if (!clock) return null;
  return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
}
