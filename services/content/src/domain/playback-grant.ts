import { problems } from '@moocflix/platform-core/errors';
import type { UseCaseContext } from './use-case-context';

const TOKEN_REFUSALS = {
  malformed: 'The playback token is malformed',
  'bad-signature': 'The playback token is not valid',
  expired: 'The playback token has expired; open the stream again',
  'other-video': 'The playback token is for another video',
} as const;

/**
 * Checks a playback token (from a URL a player or an <img> fetches without our bearer token) for
 * `videoId`; 403 with the reason otherwise.
 */
export function requirePlaybackGrant(ctx: UseCaseContext, token: string, videoId: string): void {
  const grant = ctx.playback.tokens.verify(token, videoId);
  if (typeof grant === 'string') throw problems.forbidden(TOKEN_REFUSALS[grant]);
}
