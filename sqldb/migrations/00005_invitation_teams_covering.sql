-- +goose Up
-- Portable SQL only: this file is applied to SQLite and PostgreSQL alike.
-- An invitation is loaded with its teams; with the team in the index, the teams are read from
-- the index alone, without a lookup of each row in the table.
CREATE INDEX invitation_teams_covering ON invitation_teams (invitation_id, position, team_id);

-- +goose Down
DROP INDEX invitation_teams_covering;
