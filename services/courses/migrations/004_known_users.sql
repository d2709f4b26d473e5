-- Local projection of the users service, built from User-Creation/User-Update events, so that
-- enrolling never calls the users service synchronously. It may lag behind: a user missing here
-- is NOT refused (the token is authoritative); only a user known to be deactivated is.
CREATE TABLE known_users (
  id         text        PRIMARY KEY,
  email      text        NOT NULL,
  name       text        NOT NULL,
  role       text        NOT NULL,
  status     text        NOT NULL CHECK (status IN ('active', 'deactivated')),
  -- The event time of the snapshot stored; an older event arriving late never overwrites a newer one.
  as_of      timestamptz NOT NULL
);
