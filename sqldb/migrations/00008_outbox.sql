-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- Email. An invitation may be sent to an address (email_address), which its user then registers
-- with; invited_by is the user who created it, told when it is accepted; email_id is the outbox
-- message that carries its latest code.
ALTER TABLE invitations ADD COLUMN email_address TEXT;
ALTER TABLE invitations ADD COLUMN invited_by TEXT;
ALTER TABLE invitations ADD COLUMN email_id TEXT;

-- The outbox: each email to send, written in the transaction of the change it tells of, so that
-- an acknowledged change is never without its message. A sender claims a due message by moving
-- next_attempt_on past the end of its lease under its own token (lease_owner); the outcome is
-- recorded only by the claim that holds it. message_id is the Message-ID header, the same at
-- every attempt. No message holds a code: it is read, sealed, from its invitation when sent.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    seq              BIGINT NOT NULL,
    kind             TEXT NOT NULL,
    invitation_id    TEXT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    user_id          TEXT,
    recipient        TEXT NOT NULL,
    message_id       TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    created_on       BIGINT NOT NULL,
    next_attempt_on  BIGINT NOT NULL,
    lease_owner      TEXT,
    last_attempt_on  BIGINT,
    last_error       TEXT,
    sent_on          BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_on) WHERE state = 'Queued';
CREATE INDEX outbox_invitation ON outbox (invitation_id);

-- +goose Down
DROP TABLE outbox;
ALTER TABLE invitations DROP COLUMN email_id;
ALTER TABLE invitations DROP COLUMN invited_by;
ALTER TABLE invitations DROP COLUMN email_address;
