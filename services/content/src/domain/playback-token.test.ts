import { createHmac, randomBytes } from 'node:crypto';
import { PlaybackTokens } from './playback-token';

const key = randomBytes(32);
let now = 1_700_000_000;
const tokens = new PlaybackTokens(key, 600, () => now);

beforeEach(() => {
  now = 1_700_000_000;
});

describe('PlaybackTokens', () => {
  it('verifies its own token for the same video and returns the grant', () => {
    const { token, grant } = tokens.issue('video-1', 'user-1');
    expect(grant).toEqual({ videoId: 'video-1', userId: 'user-1', expiresAt: now + 600 });
    expect(tokens.verify(token, 'video-1')).toEqual(grant);
  });

  it('refuses it for another video', () => {
    const { token } = tokens.issue('video-1', 'user-1');
    expect(tokens.verify(token, 'video-2')).toBe('other-video');
  });

  it('refuses it once expired, and not a second before', () => {
    const { token } = tokens.issue('video-1', 'user-1');
    now += 599;
    expect(tokens.verify(token, 'video-1')).toMatchObject({ userId: 'user-1' });
    now += 1;
    expect(tokens.verify(token, 'video-1')).toBe('expired');
  });

  it('refuses a token whose grant was changed (longer expiry, other video) without re-signing', () => {
    const { token } = tokens.issue('video-1', 'user-1');
    const [version, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify(['video-1', 'user-1', now + 10 ** 9])).toString('base64url');
    expect(tokens.verify(`${version}.${forged}.${signature}`, 'video-1')).toBe('bad-signature');
  });

  it('refuses a token signed with another key', () => {
    const other = new PlaybackTokens(randomBytes(32), 600, () => now);
    expect(tokens.verify(other.issue('video-1', 'user-1').token, 'video-1')).toBe('bad-signature');
  });

  it.each(['', 'garbage', 'v1..', 'v2.e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'v1.e30.short'])(
    'calls %j malformed',
    (token) => {
      expect(tokens.verify(token, 'video-1')).toBe('malformed');
    },
  );

  it('calls a correctly signed payload that is not a grant malformed', () => {
    // Signed with the right key (the documented format), but the payload is JSON of the wrong shape.
    const payload = Buffer.from(JSON.stringify({ videoId: 'video-1' })).toString('base64url');
    const signature = createHmac('sha256', key).update(`v1.${payload}`).digest('base64url');
    expect(tokens.verify(`v1.${payload}.${signature}`, 'video-1')).toBe('malformed');
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new PlaybackTokens(randomBytes(16), 600)).toThrow(/32 bytes/);
  });
});
