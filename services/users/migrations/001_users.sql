-- Accounts. A deactivated account stays (status), so its email stays taken and its history traceable.
CREATE TABLE users (
  id                     uuid        PRIMARY KEY,
  -- Stored normalised (trimmed, lower-case) so the unique constraint is the duplicate check, also
  -- under concurrent signups.
  email                  text        NOT NULL CONSTRAINT users_email_key UNIQUE
                                     CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email))),
  name                   text        NOT NULL,
  role                   text        NOT NULL CHECK (role IN ('student', 'instructor', 'admin')),
  status                 text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
  -- argon2id PHC string; never leaves this service.
  password_hash          text        NOT NULL,
  -- Every token of the user with iat <= this epoch second is revoked (password change, deactivation).
  tokens_revoked_through bigint,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now()
);

-- Single tokens revoked by logout, kept until they would have expired anyway.
CREATE TABLE revoked_tokens (
  token_id   uuid        PRIMARY KEY,
  user_id    uuid        NOT NULL REFERENCES users (id),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);

-- Login throttling counters (fixed window per key), shared by every replica through the database.
CREATE TABLE login_rate_limits (
  bucket     text        PRIMARY KEY,
  hits       integer     NOT NULL,
  window_end timestamptz NOT NULL
);
CREATE INDEX login_rate_limits_window_end ON login_rate_limits (window_end);
