-- Login throttling with growing delays (docs/throttle-policy.md) replaces the fixed-window counters,
-- whose per-account lock let anyone who knew an email lock its owner out. One row per counter:
-- per (account, client address), per client address, and the per-account ceiling.
CREATE TABLE login_throttle (
  bucket        text        PRIMARY KEY,
  -- Attempts counted in the current window (an attempt counts until it succeeds).
  failures      integer     NOT NULL CHECK (failures >= 0),
  -- The counter starts over after this; never before blocked_until, so a sweep never lifts a block.
  window_end    timestamptz NOT NULL,
  -- No attempt on this counter is admitted before this (null: none running).
  blocked_until timestamptz,
  CONSTRAINT login_throttle_block_within_window CHECK (blocked_until IS NULL OR blocked_until <= window_end)
);
CREATE INDEX login_throttle_window_end ON login_throttle (window_end);

-- The old counters: their lockouts end when the new code takes over (its counters start empty).
DROP TABLE login_rate_limits;
