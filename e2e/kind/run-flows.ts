// Runs the end-to-end API flow (flows.ts) from the command line:
//   node --import tsx e2e/kind/run-flows.ts http://localhost:8080              one origin (make dev, an Ingress)
//   node --import tsx e2e/kind/run-flows.ts users=http://localhost:18081 courses=http://... (one per service)
// The video is generated with ffmpeg (PATH, else the @ffmpeg-installer build the kit falls back to).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '@moocflix/platform-media';
import { type ApiEndpoints, runLearningFlow, singleOrigin } from './flows';

/** A short H.264/AAC MP4 from ffmpeg's test generators (4 s 640x360 unless told otherwise). */
export async function sampleVideo(options: { seconds?: number; size?: string } = {}): Promise<Uint8Array> {
  const seconds = options.seconds ?? 4;
  const size = options.size ?? '640x360';
  const dir = mkdtempSync(join(tmpdir(), 'moocflix-e2e-'));
  try {
    const file = join(dir, 'sample.mp4');
    // prettier-ignore
    await promisify(execFile)(resolveFfmpegBinaries().ffmpeg, [
      '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
    ]);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function endpointsFrom(args: string[]): ApiEndpoints {
  if (args.length === 1 && !args[0]!.includes('=')) return singleOrigin(args[0]!);
  const given = Object.fromEntries(args.map((a) => a.split(/=(.*)/s, 2) as [string, string]));
  const services = ['users', 'courses', 'content', 'assessments', 'notifications'] as const;
  const missing = services.filter((s) => !given[s]);
  if (missing.length)
    throw new Error(
      `usage: run-flows.ts <base-url> | ${services.map((s) => `${s}=<url>`).join(' ')} (missing: ${missing.join(', ')})`,
    );
  return Object.fromEntries(services.map((s) => [s, given[s]!])) as unknown as ApiEndpoints;
}

if (require.main === module) {
  (async () => {
    const endpoints = endpointsFrom(process.argv.slice(2));
    const started = Date.now();
    const result = await runLearningFlow({
      endpoints,
      video: await sampleVideo(),
      transcodeTimeoutMs: Number(process.env.MOOCFLIX_E2E_TRANSCODE_TIMEOUT_MS ?? 600_000),
      log: (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`),
    });
    console.log(JSON.stringify(result, null, 2));
    console.log(`e2e flow passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  })().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
