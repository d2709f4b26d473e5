-- Browser sessions: the refresh tokens behind the moocflix_refresh cookie. Only a SHA-256 of each
-- token is kept (the token is 32 random bytes, so a plain hash is enough: nothing to guess), so a
-- read of this table yields no usable token. A sign-in starts a family; each refresh marks the
-- presented token rotated and adds its successor to the family. A rotated token presented again
-- means it was copied: the whole family is revoked. Rows stay until they expire, so that a
-- rotated token is still recognised as such for as long as it could be presented.
CREATE TABLE refresh_tokens (
  token_hash bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  family_id  uuid        NOT NULL,
  user_id    uuid        NOT NULL REFERENCES users (id),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set when this token was exchanged for its successor: presenting it again is reuse.
  rotated_at timestamptz,
  -- Set for every token of a family when the family ends (sign-out, reuse, logout, password
  -- change, deactivation).
  revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
-- Logout, password change and deactivation end all the user's live families.
CREATE INDEX refresh_tokens_live_by_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
