import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { backoffDelay, sleep } from '@moocflix/platform-core/retry';
import * as jose from 'jose';
import type { RevocationList } from './types';

/**
 * Every revocation still in force, as the users service (their source of truth, in its database)
 * states it: single tokens (logout) and user-wide cut-offs (password change, deactivation), each
 * only until the tokens it kills have expired on their own.
 */
export interface RevocationSnapshot {
  tokens: Array<{ tokenId: string; expiresAt: number }>;
  users: Array<{ userId: string; issuedAtOrBefore: number; expiresAt: number }>;
}

/**
 * The `typ` of a signed snapshot. Verifiers require it, and the access-token check requires
 * `at+jwt`, so neither document can ever be passed off as the other although one key signs both.
 */
export const REVOCATION_SNAPSHOT_TYPE = 'revocations+jwt';

/** How long a signed snapshot is accepted after it was made: it is fetched and used at once. */
export const REVOCATION_SNAPSHOT_MAX_AGE_SECONDS = 60;

const snapshotClaimsSchema = z.object({
  tokens: z.array(z.strictObject({ tokenId: z.string().min(1).max(200), expiresAt: z.number() })),
  users: z.array(
    z.strictObject({
      userId: z.string().min(1).max(200),
      issuedAtOrBefore: z.number(),
      expiresAt: z.number(),
    }),
  ),
});

/** The claims of a verified snapshot JWS; anything else is refused. */
export function parseRevocationSnapshotClaims(payload: unknown): RevocationSnapshot {
  return snapshotClaimsSchema.parse(payload);
}

/**
 * Signs a snapshot with the access-token signing key, as a JWT (typ revocations+jwt, short exp).
 * Verifiers check it with the keys they already trust for access tokens (the JWKS), so the
 * endpoint needs no other credential: a forged or tampered list (say, an empty one, which would
 * resurrect every revoked token) does not verify, and an old one expires within a minute.
 */
export async function signRevocationSnapshot(
  snapshot: RevocationSnapshot,
  signer: { kid: string; privateKey: KeyObject; issuer: string; audience: string; nowSeconds: number },
): Promise<string> {
  return new jose.SignJWT({ tokens: snapshot.tokens, users: snapshot.users })
    .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: REVOCATION_SNAPSHOT_TYPE })
    .setIssuer(signer.issuer)
    .setAudience(signer.audience)
    .setIssuedAt(signer.nowSeconds)
    .setExpirationTime(signer.nowSeconds + REVOCATION_SNAPSHOT_MAX_AGE_SECONDS)
    .sign(signer.privateKey);
}

export interface RevocationSnapshotLoaderOptions {
  /** The users service's revocations endpoint. */
  url: string | URL;
  /** Checks the signature and claims (the authenticator's verifyRevocationSnapshot). */
  verify: (jws: string) => Promise<RevocationSnapshot>;
  revocations: RevocationList;
  logger: Logger;
  /** Timeout of one fetch (default 5 s). */
  fetchTimeoutMs?: number;
  /** First retry delay; doubles per failure up to maxRetryDelayMs (defaults 250 ms, 5 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/**
 * One signed snapshot from the users service, verified: what the loader applies at start, and what
 * the outage refresh applies while the Session-Revoked feed's bus does not answer.
 */
export async function fetchRevocationSnapshot(
  source: Pick<RevocationSnapshotLoaderOptions, 'url' | 'verify' | 'fetchTimeoutMs'>,
  signal: AbortSignal,
): Promise<RevocationSnapshot> {
  const response = await fetch(source.url, {
    headers: { accept: 'application/jwt' },
    signal: AbortSignal.any([signal, AbortSignal.timeout(source.fetchTimeoutMs ?? 5_000)]),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${String(source.url)}`);
  return source.verify(body.trim());
}

export interface RevocationSnapshotLoader {
  /** Resolves once a snapshot was applied, by this loader or by anyone else (the users service in-process). */
  readonly loaded: Promise<void>;
  close(): void;
}

/**
 * Loads the revocations in force from the users service at start, retrying until it answers: a
 * verifier that has not loaded them refuses every token (503, and /readyz says so) rather than
 * accept one that was revoked before this process existed. The live Session-Revoked feed must be
 * subscribed BEFORE the fetch: a revocation committed after the snapshot was read is then
 * published after the feed's start position, so nothing falls between the two.
 *
 * After the start the feed keeps the list current, and a broker outage loses nothing (the consumer
 * resumes from its position; the log keeps the events). What it would delay, a revocation made
 * during the outage, the outage refresh (revocation-outage-refresh) fetches meanwhile.
 */
export function startRevocationSnapshotLoader(
  options: RevocationSnapshotLoaderOptions,
): RevocationSnapshotLoader {
  const { revocations, logger } = options;
  const closing = new AbortController();
  const loaded = (async () => {
    for (let attempt = 1; !revocations.complete; attempt++) {
      if (closing.signal.aborted) throw new Error('revocation snapshot loader closed before loading');
      try {
        const snapshot = await fetchRevocationSnapshot(options, closing.signal);
        revocations.applySnapshot(snapshot);
        logger.info(
          { tokens: snapshot.tokens.length, users: snapshot.users.length, attempt },
          'auth: revocations in force loaded from the users service',
        );
      } catch (err) {
        if (revocations.complete || closing.signal.aborted) continue;
        // The first attempts often race the users service's own start: debug, then warn.
        logger[attempt <= 3 ? 'debug' : 'warn'](
          { err, url: String(options.url), attempt },
          'auth: cannot load the revocations in force yet; tokens are refused (503) until then',
        );
        await sleep(
          backoffDelay(attempt, options.retryDelayMs ?? 250, options.maxRetryDelayMs ?? 5_000),
          closing.signal,
        );
      }
    }
  })();
  // Observed by whoever awaits it; a rejection after close() is expected.
  loaded.catch(() => undefined);
  return { loaded, close: () => closing.abort() };
}
