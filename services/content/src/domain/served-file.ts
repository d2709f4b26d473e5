import type { Readable } from 'node:stream';
import { problems } from '@moocflix/platform-core/errors';
import type { UseCaseContext } from './use-case-context';

/** A stored file to send as is (segment, init segment, poster), whole or a byte range of it. */
export interface ServedFile {
  kind: 'file';
  /** Its name, which gives its content type. */
  path: string;
  size: number;
  open(range?: { start: number; end: number }): Promise<Readable>;
}

export async function storedFile(ctx: UseCaseContext, key: string, path: string): Promise<ServedFile> {
  const size = await ctx.playback.outputs.size(key);
  if (size === undefined) throw problems.notFound('File');
  return { kind: 'file', path, size, open: (range) => ctx.playback.outputs.open(key, range) };
}
