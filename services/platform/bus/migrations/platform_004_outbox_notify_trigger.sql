-- Every statement that queues outbox rows wakes the OutboxRelay (LISTEN platform_outbox) on commit,
-- however the rows were inserted: enqueueEvent, or a business write that queues its event in the
-- same statement (writeWithEvent). The payload is empty, so one transaction queuing many events
-- sends one notification (PostgreSQL folds identical notifications of a transaction); the relay
-- reads the table, not the payload. A rolled-back statement notifies nobody (NOTIFY is transactional).
CREATE FUNCTION platform_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM queued) THEN
    PERFORM pg_notify('platform_outbox', '');
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER platform_outbox_notify
  AFTER INSERT ON platform_outbox
  REFERENCING NEW TABLE AS queued
  FOR EACH STATEMENT EXECUTE FUNCTION platform_outbox_notify();
