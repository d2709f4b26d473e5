import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a playback token grants: `userId` may fetch `videoId`'s HLS files until `expiresAt` (epoch seconds). */
export interface PlaybackGrant {
  videoId: string;
  userId: string;
  expiresAt: number;
}

export type PlaybackTokenRejection = 'malformed' | 'bad-signature' | 'expired' | 'other-video';

const VERSION = 'v1';
// base64url of the JSON grant, then base64url of its HMAC: no dots inside either part.
const TOKEN_SHAPE = /^v1\.([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/;

/**
 * Short-lived HMAC-SHA256 tokens for HLS fetches. Players cannot add an Authorization header to
 * the playlist and segment requests they make themselves, so the playlists this service hands out
 * carry one of these in every URI instead. Scoped to one video and one user; stateless to verify.
 */
export class PlaybackTokens {
  constructor(
    private readonly key: Buffer,
    private readonly ttlSeconds: number,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    if (key.length < 32) throw new Error('The playback token key must be at least 32 bytes');
  }

  issue(videoId: string, userId: string): { token: string; grant: PlaybackGrant } {
    const grant: PlaybackGrant = { videoId, userId, expiresAt: this.nowSeconds() + this.ttlSeconds };
    const payload = Buffer.from(JSON.stringify([grant.videoId, grant.userId, grant.expiresAt])).toString(
      'base64url',
    );
    return { token: `${VERSION}.${payload}.${this.sign(payload)}`, grant };
  }

  /** The grant, or why the token is refused (each refusal is a 403 to the client). */
  verify(token: string, videoId: string): PlaybackGrant | PlaybackTokenRejection {
    const match = TOKEN_SHAPE.exec(token);
    if (!match) return 'malformed';
    const [, payload, signature] = match as unknown as [string, string, string];
    const expected = Buffer.from(this.sign(payload));
    if (!timingSafeEqual(expected, Buffer.from(signature))) return 'bad-signature';
    const grant = decodeGrant(payload);
    if (!grant) return 'malformed';
    if (grant.expiresAt <= this.nowSeconds()) return 'expired';
    if (grant.videoId !== videoId) return 'other-video';
    return grant;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(`${VERSION}.${payload}`).digest('base64url');
  }
}

function decodeGrant(payload: string): PlaybackGrant | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [videoId, userId, expiresAt] = value as unknown[];
    if (typeof videoId !== 'string' || typeof userId !== 'string' || !Number.isSafeInteger(expiresAt))
      return null;
    return { videoId, userId, expiresAt: expiresAt as number };
  } catch {
    return null;
  }
}
