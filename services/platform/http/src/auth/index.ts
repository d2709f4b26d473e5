export { createAuthenticator, getAuth, type AuthenticatorOptions } from './authenticator';
export { InMemoryRevocationList, type InMemoryRevocationListOptions } from './revocation-list';
export {
  fetchRevocationSnapshot,
  REVOCATION_SNAPSHOT_TYPE,
  signRevocationSnapshot,
  startRevocationSnapshotLoader,
  type RevocationSnapshot,
  type RevocationSnapshotLoader,
  type RevocationSnapshotLoaderOptions,
} from './revocation-snapshot';
export {
  REVOCATION_OUTAGE_REFRESH_MS,
  startRevocationOutageRefresh,
  type RevocationOutageRefreshOptions,
} from './revocation-outage-refresh';
export { startRevocationFeed, type RevocationFeed, type RevocationFeedOptions } from './revocation-feed';
export {
  ACCESS_TOKEN_TYPE,
  ROLES,
  type AuthContext,
  type Authenticator,
  type RevocationList,
  type Role,
} from './types';
