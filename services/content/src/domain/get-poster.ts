import { problems } from '@moocflix/platform/errors';
import type { ContentContext } from './content-context';
import { storedFile, type ServedFile } from './served-file';
import { playableOutputs } from './video';
import type { Caller } from './video-access';
import { requireWatchableVideo } from './watch-access';

/** The poster image of a transcoded video, for whoever may watch it; 409 before the first transcode. */
export async function getPoster(ctx: ContentContext, caller: Caller, videoId: string): Promise<ServedFile> {
  const video = await requireWatchableVideo(ctx.pool, caller, videoId);
  const outputs = playableOutputs(video);
  if (!outputs) throw problems.conflict(`The video has no poster yet (status ${video.status})`, 'not-ready');
  if (outputs.posterPath === null) throw problems.notFound('Poster');
  return storedFile(ctx, outputs.prefix + outputs.posterPath, outputs.posterPath);
}
