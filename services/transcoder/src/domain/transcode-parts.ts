import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, ObjectNotFoundError, type ObjectStorage } from '@moocflix/platform-storage';
import { chunksFor, partCountOf, type Chunk } from '@moocflix/platform-core/transcoding';
import { assembleChunks, chunkNameOf, encodeAudioOnce, encodeChunk } from '../chunks/encode-chunked';
import { StitchError } from '../chunks/stitch-rendition';
import { audioVariantDir } from '../ffmpeg/hls-ladder-args';
import { MASTER_PLAYLIST_FILE, packageHlsOutput, packagedFile, type PackagedFile } from '../hls/hls-package';
import { withWorkDir } from '../work-dir';
import type { Rendition } from './rendition-ladder';
import {
  describeInputFailure,
  ENCODING_SHARE,
  ffmpegRunner,
  outputPrefixOf,
  prepareSource,
  publishPreview,
  uploadFiles,
  type TranscodeDependencies,
  type TranscodeSettings,
  type TranscodingRequest,
} from './transcode-steps';
import { succeeded, type TranscodeOutcome } from './transcode-video';

/**
 * A distributed transcode (docs/architecture.md, Video pipeline): the chunk plan runs as indexed
 * parts — on a cluster the indices of one Indexed Job, each in its own pod — then one stitch step.
 * Part 0 publishes the preview (playable within seconds; nothing for the stitch), part 1 + i
 * encodes chunk i's video ladder, the last part the audio once; a chunk or the audio uploads its
 * outputs under `<outputPrefix>/parts/<name>/` and then, LAST, its manifest `<name>.json`, so a
 * retried part simply overwrites and the stitch counts a part only once it is whole. The stitch
 * downloads the parts, joins them exactly as one process would (src/chunks), uploads the package
 * (the master last) and removes the parts.
 */

export const PARTS_FOLDER = 'parts';
const PREVIEW_PART = 0;
const AUDIO_PART = 'audio';

/** A request that cannot run as parts under these settings, or a part index out of range: not retried. */
export class InvalidPartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPartError';
  }
}

/** A stitch that found parts missing: the parts' Job is not done (or lost them); redo later. */
export class PartsMissingError extends Error {
  constructor(readonly missing: string[]) {
    super(`parts not (yet) uploaded: ${missing.join(', ')}`);
    this.name = 'PartsMissingError';
  }
}

/** What a part leaves next to its outputs; the stitch reads the first chunk's. */
interface PartManifest {
  part: string;
  renditions: Rendition[];
  hasAudio: boolean;
  posterAtSeconds: number | null;
  durationSeconds: number | null;
}

/** A part's outcome: it publishes no completion of its own when it succeeds (the stitch does). */
export type PartOutcome = { status: 'part-done' } | Extract<TranscodeOutcome, { status: 'failed' }>;

/** The chunks of a request meant to run as parts; throws when the request is not chunked. */
export function partPlanOf(request: TranscodingRequest, settings: TranscodeSettings): Chunk[] {
  const chunks = chunksFor(request.sourceDurationSeconds, settings.chunking);
  if (!chunks) {
    throw new InvalidPartError(
      `request ${request.requestId} is not split into parts: its sourceDurationSeconds ` +
        `(${request.sourceDurationSeconds ?? 'unknown'}) is not above the chunk threshold`,
    );
  }
  return chunks;
}

/** Part `index` of the request's plan: the preview (0), a chunk's video ladder, or (the last index) the audio. */
export async function transcodePart(
  request: TranscodingRequest,
  index: number,
  deps: TranscodeDependencies,
  signal: AbortSignal,
): Promise<PartOutcome> {
  const chunks = partPlanOf(request, deps.settings);
  const count = partCountOf(chunks);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new InvalidPartError(`part ${index} does not exist: the request has parts 0 to ${count - 1}`);
  }
  const partsPrefix = `${outputPrefixOf(request)}/${PARTS_FOLDER}`;
  const sourceSeconds = request.sourceDurationSeconds!;
  let durationSeconds: number | null = null;
  try {
    assertValidKey(`${partsPrefix}/${AUDIO_PART}.json`);
    return await withWorkDir(deps.settings.workDir, async (dir) => {
      const source = await prepareSource(request, deps, dir, signal);
      const { probe, ladder } = source;
      durationSeconds = probe.durationSeconds;
      const run = ffmpegRunner(deps, signal);
      if (index === PREVIEW_PART) {
        await publishPreview(request, deps, source, dir, run);
        return { status: 'part-done' as const };
      }
      const out = join(dir, 'out');
      await mkdir(out, { recursive: true });
      const chunk = chunks[index - 1];
      const name = chunk ? chunkNameOf(chunk) : AUDIO_PART;
      if (chunk) {
        const length = chunk.durationSeconds ?? Math.max(1, sourceSeconds - chunk.startSeconds);
        // Parts run side by side and content keeps the highest percentage: each reports its own
        // share of the whole, a lower bound of the transcode's progress (the TranscodeJob's status
        // counts parts done).
        await encodeChunk({ ...ladder, sourceSeconds }, chunk, out, run, (outTime) =>
          deps.reportProgress((Math.min(1, outTime / length) * ENCODING_SHARE) / count),
        );
      } else if (ladder.hasAudio) {
        await encodeAudioOnce(ladder, out, run);
      }
      await uploadFiles(deps.storage, `${partsPrefix}/${name}`, await filesUnder(out), signal);
      const manifest: PartManifest = {
        part: name,
        renditions: ladder.renditions,
        hasAudio: ladder.hasAudio,
        posterAtSeconds: ladder.posterAtSeconds,
        durationSeconds: probe.durationSeconds,
      };
      await deps.storage.put(`${partsPrefix}/${name}.json`, JSON.stringify(manifest), {
        contentType: 'application/json',
      });
      return { status: 'part-done' as const };
    });
  } catch (err) {
    const error = describeInputFailure(err);
    if (error === null) throw err;
    deps.logger.info({ videoId: request.videoId, part: index, error }, 'transcode part failed');
    return { status: 'failed', error, durationSeconds };
  }
}

/** Joins every part of the request into the HLS package, uploads it and removes the parts. */
export async function stitchParts(
  request: TranscodingRequest,
  deps: TranscodeDependencies,
  signal: AbortSignal,
): Promise<TranscodeOutcome> {
  const chunks = partPlanOf(request, deps.settings);
  const prefix = outputPrefixOf(request);
  const partsPrefix = `${prefix}/${PARTS_FOLDER}`;
  const { storage } = deps;
  try {
    assertValidKey(`${prefix}/${MASTER_PLAYLIST_FILE}`);
    const names = [...chunks.map(chunkNameOf), AUDIO_PART];
    const manifests = await readManifests(storage, partsPrefix, names);
    const first = manifests[0]!;
    for (const manifest of manifests.slice(1, chunks.length)) {
      if (JSON.stringify(manifest.renditions) !== JSON.stringify(first.renditions)) {
        throw new StitchError(`part ${manifest.part} encoded another ladder than ${first.part}`);
      }
    }
    return await withWorkDir(deps.settings.workDir, async (dir) => {
      const partsDir = join(dir, PARTS_FOLDER);
      const outputDir = join(dir, 'out');
      await downloadPrefix(storage, partsPrefix, partsDir, signal);
      await mkdir(outputDir, { recursive: true });
      if (first.hasAudio) {
        await rename(join(partsDir, AUDIO_PART), join(outputDir, audioVariantDir(first.renditions.length)));
      }
      await assembleChunks({
        chunks,
        chunksDir: partsDir,
        outputDir,
        renditions: first.renditions,
        posterAtSeconds: first.posterAtSeconds,
      });
      const hls = await packageHlsOutput(outputDir, first.renditions, first.hasAudio);
      await uploadFiles(storage, prefix, hls.files, signal);
      // The package is whole (its master is up): the parts are no longer needed.
      await storage.deletePrefix(`${partsPrefix}/`);
      return succeeded(prefix, hls, first.durationSeconds);
    });
  } catch (err) {
    const error = describeInputFailure(err);
    if (error === null) throw err;
    deps.logger.info({ videoId: request.videoId, error }, 'stitch failed');
    return { status: 'failed', error, durationSeconds: null };
  }
}

async function readManifests(
  storage: ObjectStorage,
  partsPrefix: string,
  names: string[],
): Promise<PartManifest[]> {
  const manifests: PartManifest[] = [];
  const missing: string[] = [];
  for (const name of names) {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await storage.get(`${partsPrefix}/${name}.json`))
        chunks.push(chunk as Buffer);
      manifests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as PartManifest);
    } catch (err) {
      if (!(err instanceof ObjectNotFoundError)) throw err;
      missing.push(name);
    }
  }
  if (missing.length > 0) throw new PartsMissingError(missing);
  return manifests;
}

/** Every object under `prefix/` into `dir`, at the same relative paths. */
async function downloadPrefix(
  storage: ObjectStorage,
  prefix: string,
  dir: string,
  signal: AbortSignal,
): Promise<void> {
  for (const object of await storage.list(`${prefix}/`)) {
    const path = join(dir, object.key.slice(prefix.length + 1));
    if (relative(dir, path).startsWith('..'))
      throw new StitchError(`object ${object.key} escapes the parts folder`);
    await mkdir(dirname(path), { recursive: true });
    await pipeline(await storage.get(object.key), createWriteStream(path), { signal });
  }
}

/** Every file under `dir`, keyed by its path relative to it. */
async function filesUnder(dir: string): Promise<PackagedFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return packagedFile(path, relative(dir, path));
    });
}
