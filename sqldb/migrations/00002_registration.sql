-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- Registration: who redeemed an invitation and when (null until then). The registration that
-- sets them also creates the user, in the same transaction.
ALTER TABLE invitations ADD COLUMN redeemed_on BIGINT;
ALTER TABLE invitations ADD COLUMN redeemed_by TEXT;

-- Sessions of users signed in with a password. Only digests of the session token and of its
-- anti-forgery token are stored.
CREATE TABLE sessions (
    digest       TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf_digest  TEXT NOT NULL,
    created_on   BIGINT NOT NULL,
    expires      BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

-- +goose Down
DROP TABLE sessions;
ALTER TABLE invitations DROP COLUMN redeemed_by;
ALTER TABLE invitations DROP COLUMN redeemed_on;
