-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- The audit log. Each event is written in the transaction of the change it records, so that no
-- change is committed without its event and no event without its change. Events never hold
-- secrets: no API key, invitation code, password or session token.
CREATE TABLE events (
    id           TEXT PRIMARY KEY,
    seq          BIGINT NOT NULL,
    category     TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    username     TEXT NOT NULL,
    identity     TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    ip_address   TEXT NOT NULL DEFAULT '',
    occurred     BIGINT NOT NULL,
    message      TEXT NOT NULL,
    space_id     TEXT
);
CREATE INDEX events_seq ON events (seq);
CREATE INDEX events_user ON events (user_id, seq);

-- The documents an event concerns, in the order the message names them.
CREATE TABLE event_documents (
    event_id     TEXT NOT NULL REFERENCES events (id),
    position     INTEGER NOT NULL,
    document_id  TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);
CREATE INDEX event_documents_document ON event_documents (document_id);

-- +goose Down
DROP TABLE event_documents;
DROP TABLE events;
