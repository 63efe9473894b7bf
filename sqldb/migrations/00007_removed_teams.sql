-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- Teams deleted while invitations would still add users to them. Such an invitation keeps its
-- other teams; these rows remember the deleted ones, by ID and by the name they had, so that
-- the invitee's page can say which teams were removed since the invitation was made.
CREATE TABLE invitation_removed_teams (
    invitation_id  TEXT NOT NULL REFERENCES invitations (id),
    team_id        TEXT NOT NULL,
    team_name      TEXT NOT NULL,
    removed_on     BIGINT NOT NULL,
    PRIMARY KEY (invitation_id, team_id)
);

-- +goose Down
DROP TABLE invitation_removed_teams;
