import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { HttpProblem } from '@moocflix/platform-core/errors';
import type { ServedFile } from '../domain/served-file';
import { parseRangeHeader } from './range-header';

const CONTENT_TYPES: Record<string, string> = {
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.ts': 'video/mp2t',
  '.aac': 'audio/aac',
  '.vtt': 'text/vtt',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

/**
 * Streams a stored file to the client, honouring a single-range Range header (206) as players do
 * for fMP4; several ranges get the whole file, as RFC 9110 allows. HEAD answers the headers only.
 */
export async function sendStoredFile(
  req: Request,
  res: Response,
  file: ServedFile,
  cacheControl: string,
): Promise<void> {
  const range = parseRangeHeader(req.get('range'), file.size);
  if (range === 'unsatisfiable') {
    throw new HttpProblem(
      416,
      'range-not-satisfiable',
      'Range not satisfiable',
      `The file has ${file.size} bytes`,
      {},
      {
        'Content-Range': `bytes */${file.size}`,
      },
    );
  }
  res
    .status(range ? 206 : 200)
    .type(CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream')
    .set({
      'Accept-Ranges': 'bytes',
      'Cache-Control': cacheControl,
      'Content-Length': String(range ? range.end - range.start + 1 : file.size),
      ...(range ? { 'Content-Range': `bytes ${range.start}-${range.end}/${file.size}` } : {}),
    });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const body = await file.open(range ?? undefined);
  await pipeline(body, res).catch((err: unknown) => {
    // The client went away mid-file (a player seeking does this all the time): nothing to answer.
    if (!res.headersSent) throw err;
    req.log.debug({ err }, 'file transfer interrupted');
  });
}
