-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- Times are Unix milliseconds in UTC; booleans are 0 or 1; IDs are "Type-N" text, with seq the N
-- so that collections sort numerically.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- counters hands out the N of "Type-N" inside the transaction that stores the document, so that
-- IDs stay unique whatever number of server instances share the database.
CREATE TABLE counters (
    kind  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE spaces (
    id                  TEXT PRIMARY KEY,
    seq                 BIGINT NOT NULL,
    name                TEXT NOT NULL,
    slug                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    is_default          INTEGER NOT NULL DEFAULT 0,
    task_queue_stopped  INTEGER NOT NULL DEFAULT 0,
    managers_teams      TEXT NOT NULL DEFAULT '[]',
    managers_members    TEXT NOT NULL DEFAULT '[]',
    created_on          BIGINT NOT NULL
);
CREATE UNIQUE INDEX spaces_name ON spaces (lower(name));
CREATE UNIQUE INDEX spaces_slug ON spaces (lower(slug));

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    seq            BIGINT NOT NULL,
    username       TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    email_address  TEXT NOT NULL DEFAULT '',
    is_active      INTEGER NOT NULL DEFAULT 1,
    is_service     INTEGER NOT NULL DEFAULT 0,
    password_hash  TEXT,
    created_on     BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

CREATE TABLE teams (
    id                  TEXT PRIMARY KEY,
    seq                 BIGINT NOT NULL,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    space_id            TEXT REFERENCES spaces (id),
    can_be_deleted      INTEGER NOT NULL DEFAULT 1,
    can_be_renamed      INTEGER NOT NULL DEFAULT 1,
    can_change_roles    INTEGER NOT NULL DEFAULT 1,
    can_change_members  INTEGER NOT NULL DEFAULT 1,
    created_on          BIGINT NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (coalesce(space_id, ''), lower(name));
CREATE INDEX teams_space ON teams (space_id, seq);

CREATE TABLE team_members (
    team_id  TEXT NOT NULL REFERENCES teams (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    seq         BIGINT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    purpose     TEXT NOT NULL,
    digest      TEXT NOT NULL UNIQUE,
    created_on  BIGINT NOT NULL,
    revoked_on  BIGINT
);
CREATE INDEX api_keys_user ON api_keys (user_id, seq);

-- An invitation's code is found by its digest; the code itself is kept only sealed under the
-- master key, which never enters the database.
CREATE TABLE invitations (
    id                TEXT PRIMARY KEY,
    seq               BIGINT NOT NULL,
    space_id          TEXT REFERENCES spaces (id),
    code_digest       TEXT NOT NULL UNIQUE,
    code_sealed       TEXT NOT NULL,
    expires           BIGINT NOT NULL,
    last_modified_on  BIGINT NOT NULL,
    last_modified_by  TEXT NOT NULL,
    created_on        BIGINT NOT NULL
);

CREATE TABLE invitation_teams (
    invitation_id  TEXT NOT NULL REFERENCES invitations (id),
    position       INTEGER NOT NULL,
    team_id        TEXT NOT NULL REFERENCES teams (id),
    PRIMARY KEY (invitation_id, position)
);

-- +goose Down
DROP TABLE invitation_teams;
DROP TABLE invitations;
DROP TABLE api_keys;
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE users;
DROP TABLE spaces;
DROP TABLE counters;
DROP TABLE settings;
