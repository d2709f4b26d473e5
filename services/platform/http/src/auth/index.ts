export { createAuthenticator, getAuth, type AuthenticatorOptions } from './authenticator';
export { InMemoryRevocationList, type InMemoryRevocationListOptions } from './revocation-list';
export {
  REVOCATION_SNAPSHOT_TYPE,
  signRevocationSnapshot,
  startRevocationSnapshotLoader,
  type RevocationSnapshot,
  type RevocationSnapshotLoader,
  type RevocationSnapshotLoaderOptions,
} from './revocation-snapshot';
export { startRevocationFeed, type RevocationFeed, type RevocationFeedOptions } from './revocation-feed';
export {
  ACCESS_TOKEN_TYPE,
  ROLES,
  type AuthContext,
  type Authenticator,
  type RevocationList,
  type Role,
} from './types';
