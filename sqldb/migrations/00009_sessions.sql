-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- Sessions get an ID, so that their user can list them and end one; the time a request last
-- used them, for the idle timeout; and the address and client that signed in, to tell them
-- apart. A session from before this migration takes as ID the start of its token's digest,
-- which is no more secret than the ID itself (the token has 256 random bits), and counts as
-- used when it was created.
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_used BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN ip_address TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = substr(digest, 1, 32), last_used = created_on;
CREATE UNIQUE INDEX sessions_id ON sessions (id);

-- +goose Down
DROP INDEX sessions_id;
ALTER TABLE sessions DROP COLUMN user_agent;
ALTER TABLE sessions DROP COLUMN ip_address;
ALTER TABLE sessions DROP COLUMN last_used;
ALTER TABLE sessions DROP COLUMN id;
