-- Writers notify the OutboxRelay only while it listens, not while it polls.
--
-- A committing transaction that has notified holds a lock that serialises it with every other one
-- that notified, and each notification wakes the relay's LISTEN connection: at thousands of events
-- a second that was the biggest cost of a write with an event (make bench BENCH=courses-enroll).
-- Under such load the relay does not need waking: it polls every batch interval anyway. So it says
-- which it does, in this one-row table, and the trigger notifies only while it listens.
--
-- The hand-over from polling to listening must not strand an event whose writer read "polling"
-- and commits after the relay's last poll. Writers therefore read the flag under a shared
-- transaction-level advisory lock, held until they commit; the relay flips the flag to "listening"
-- only in a statement that gets the same lock exclusively without waiting
-- (pg_try_advisory_xact_lock): if any writer that may have read "polling" is still in flight, the
-- flip does not happen and the relay keeps polling. After a flip it polls once more, which sees
-- every row those writers committed. See OutboxRelay (outbox-relay.ts).
CREATE TABLE platform_outbox_relay (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  -- True: the relay waits for a NOTIFY (or its slow fallback poll). False: it polls every batch interval.
  listening boolean NOT NULL
);
-- Listening until a relay says otherwise: a database without a running relay costs a NOTIFY per
-- transaction, as before, and wakes a relay as soon as one starts.
INSERT INTO platform_outbox_relay (listening) VALUES (true);

-- The key of the flag's advisory lock (OutboxRelay's FLAG_LOCK_KEY): its own, not the relay's
-- publishing lock, so writers never wait for a batch being published.
CREATE OR REPLACE FUNCTION platform_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM queued) THEN
    PERFORM pg_advisory_xact_lock_shared(7346221003);
    IF (SELECT listening FROM platform_outbox_relay) THEN
      PERFORM pg_notify('platform_outbox', '');
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
